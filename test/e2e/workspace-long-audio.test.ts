import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ARTIFACTS_DIR, canvasStats, useAppSession, withFailureReport } from './serve-harness.js';

// The scale requirement: a 1025 × 25 000 spectrogram must pan smoothly. A 291 s, 44.1 kHz
// recording gives exactly that (2048-sample window → 1025 bins, hop 512 → 25 065 frames). What
// makes panning cheap whatever the length is that a pan only redraws the textures uploaded once
// (spectrogram-view.ts): the test counts WebGL texture uploads and draws while it drags across
// the zoomed view. The page's frame timing is recorded (test/artifacts/long-audio-pan.json) but
// not asserted: wall-clock on a shared CI machine measures the machine, not the code.

const RATE = 44100;
const SECONDS = 291;

/** A 16-bit mono WAV of a slow sweep plus a pulse every second, written by hand (44-byte header). */
function longWav(): Buffer {
  const frames = RATE * SECONDS;
  const out = Buffer.alloc(44 + 2 * frames);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(36 + 2 * frames, 4);
  out.write('WAVEfmt ', 8, 'latin1');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(RATE, 24);
  out.writeUInt32LE(2 * RATE, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'latin1');
  out.writeUInt32LE(2 * frames, 40);
  let phase = 0;
  for (let i = 0; i < frames; i++) {
    const t = i / RATE;
    const f = 100 * 2 ** ((t / SECONDS) * 7);
    phase += (2 * Math.PI * f) / RATE;
    const pulse = t % 1 < 0.02 ? 0.3 * Math.sin(2 * Math.PI * 3000 * t) : 0;
    out.writeInt16LE(Math.round(32767 * (0.4 * Math.sin(phase) + pulse)), 44 + 2 * i);
  }
  return out;
}

describe('workspace: a long recording', { timeout: 300_000 }, () => {
  const app = useAppSession();

  it('draws a 1025 × 25 000 spectrogram and pans it by redrawing, never uploading it again', () =>
    withFailureReport(app(), 'workspace-long-audio', async () => {
      const { page } = app();
      await page.getByTestId('drop-zone').drop({ files: { name: 'long-sweep.wav', mimeType: 'audio/wav', buffer: longWav() } });
      await page.locator('.mixture-spectrogram[data-frames]').waitFor({ timeout: 120_000 });
      const frames = Number(await page.locator('.mixture-spectrogram').getAttribute('data-frames'));
      assert.equal(await page.locator('.mixture-spectrogram').getAttribute('data-bins'), '1025');
      assert.equal(frames, 1 + Math.floor((RATE * SECONDS) / 512));
      assert.ok(frames >= 25_000);
      const spectrogram = page.getByTestId('mixture-lane').getByTestId('spectrogram');
      await page.waitForTimeout(300);
      const whole = await canvasStats(spectrogram);
      assert.ok(whole.colours > 50, `the long spectrogram draws (${whole.colours} colours)`);

      for (let i = 0; i < 4; i++) await page.getByTestId('zoom-in').click();
      // Count what reaches WebGL from here on: texture uploads and draw calls, in every context.
      await page.evaluate(() => {
        const gl = { uploads: 0, draws: 0 };
        (window as unknown as { gl: typeof gl }).gl = gl;
        for (const proto of [WebGLRenderingContext.prototype, WebGL2RenderingContext.prototype] as unknown as Record<string, unknown>[]) {
          const count = (name: string, key: keyof typeof gl): void => {
            const original = proto[name] as (...args: unknown[]) => unknown;
            proto[name] = function (this: unknown, ...args: unknown[]) {
              gl[key]++;
              return original.apply(this, args);
            };
          };
          for (const name of ['texImage2D', 'texSubImage2D', 'texStorage2D', 'texImage3D', 'texSubImage3D']) count(name, 'uploads');
          for (const name of ['drawElements', 'drawArrays']) count(name, 'draws');
        }
      });
      await page.evaluate(() => {
        const probe = { maxGap: 0, frames: 0, running: true };
        (window as unknown as { probe: typeof probe }).probe = probe;
        let last = performance.now();
        const loop = (now: number): void => {
          probe.maxGap = Math.max(probe.maxGap, now - last);
          probe.frames++;
          last = now;
          if (probe.running) requestAnimationFrame(loop);
        };
        requestAnimationFrame(loop);
      });
      const lanes = page.getByTestId('lanes');
      const box = (await page.getByTestId('mixture-lane').boundingBox())!;
      const y = box.y + box.height - 40;
      const starts: number[] = [];
      for (let sweep = 0; sweep < 4; sweep++) {
        await page.mouse.move(box.x + box.width - 10, y);
        await page.mouse.down();
        await page.mouse.move(box.x + 10, y, { steps: 25 });
        await page.mouse.up();
        starts.push(Number(await lanes.getAttribute('data-view-start')));
      }
      const timing = await page.evaluate(() => {
        const probe = (window as unknown as { probe: { maxGap: number; frames: number; running: boolean } }).probe;
        probe.running = false;
        return { maxGap: probe.maxGap, frames: probe.frames };
      });
      const gl = await page.evaluate(() => (window as unknown as { gl: { uploads: number; draws: number } }).gl);
      await writeFile(join(ARTIFACTS_DIR, 'long-audio-pan.json'), JSON.stringify({ spectrogramFrames: frames, rafFrames: timing.frames, maxGap: timing.maxGap, starts, gl }, null, 2));
      console.log(`panning a 1025 × ${frames} spectrogram: ${gl.draws} WebGL draws, ${gl.uploads} texture uploads; longest frame gap ${timing.maxGap.toFixed(1)} ms over ${timing.frames} frames`);
      assert.ok(starts.every((s, i) => s > (starts[i - 1] ?? 0)), `each drag moves the view on (${starts.map((s) => s.toFixed(1)).join(' → ')} s)`);
      assert.ok(gl.draws >= starts.length, `the pans redraw the spectrogram (${gl.draws} draw calls)`);
      assert.equal(gl.uploads, 0, 'panning uploads no texture: the levels went to the GPU once');
      const panned = await canvasStats(spectrogram);
      assert.ok(panned.colours > 20 && panned.hash !== whole.hash, 'the panned view draws another part');
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'workspace-long-audio.png'), fullPage: true });
      assert.deepEqual(app().pageErrors, []);
    }));
});
