import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WavEncoder from 'wav-encoder';
import { decodeWav } from '../../app/audio/wav-codec.js';
import { ARTIFACTS_DIR, openApp, startServeSession, withFailureReport, type ServeSession } from './serve-harness.js';

const SAMPLE_RATE = 16000;
const SECONDS = 2;

/** Two tones that a separation can tell apart: 440 Hz from 0 s, 1320 Hz from 0.8 s. */
function twoToneWav(): Buffer {
  const frames = SAMPLE_RATE * SECONDS;
  const mix = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    const t = i / SAMPLE_RATE;
    const low = t < 1.4 ? 0.35 * Math.sin(2 * Math.PI * 440 * t) : 0;
    const high = t >= 0.8 ? 0.3 * Math.sin(2 * Math.PI * 1320 * t) : 0;
    mix[i] = low + high;
  }
  return Buffer.from(WavEncoder.encode.sync({ sampleRate: SAMPLE_RATE, channelData: [mix] }, { bitDepth: 16 }));
}

/** Noise keeps NMF busy for many seconds: time enough to cancel it mid-run. */
function noiseWav(seconds: number): Buffer {
  let state = 12345;
  const noise = new Float32Array(SAMPLE_RATE * seconds).map(() => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return 0.4 * (state / 2147483648 - 0.5);
  });
  return Buffer.from(WavEncoder.encode.sync({ sampleRate: SAMPLE_RATE, channelData: [noise] }, { bitDepth: 16 }));
}

describe('serve: audio separation in the browser', { timeout: 180_000 }, () => {
  let session: ServeSession;
  before(async () => {
    session = await startServeSession();
    await openApp(session);
  });
  after(async () => {
    await session?.close();
  });

  it('opens a dropped WAV, separates it, plays a source and exports WAV files', () =>
    withFailureReport(session, 'serve-audio', async () => {
    const { page } = session;
    await page.getByTestId('drop-zone').drop({ files: { name: 'two-tones.wav', mimeType: 'audio/wav', buffer: twoToneWav() } });
    await page.getByTestId('file-name').filter({ hasText: 'two-tones.wav' }).waitFor();
    const summary = await page.getByTestId('file-summary').innerText();
    assert.match(summary, /2\.00 s/);
    assert.match(summary, /16 kHz/);
    assert.match(summary, /mono/);

    await page.getByTestId('sources').fill('2');
    await page.getByTestId('components').fill('4');
    await page.getByTestId('iterations').fill('100');
    await page.getByTestId('run').click();

    const players = page.getByTestId('source-player');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="source-player"]').length === 2, null, { timeout: 60_000 });
    assert.equal(await players.count(), 2);
    assert.equal(await page.getByTestId('progress').evaluate((el) => (el as HTMLProgressElement).value), 1);
    assert.match(await page.getByTestId('mixture-residual').innerText(), /Mixture residual/);
    assert.equal(await page.getByRole('alert').isHidden(), true);

    // The blob URL must really play: currentTime has to move.
    const played = await players.first().evaluate(async (element) => {
      const audio = element as HTMLAudioElement;
      await audio.play();
      const start = audio.currentTime;
      await new Promise((resolve) => setTimeout(resolve, 600));
      audio.pause();
      return { start, end: audio.currentTime, duration: audio.duration };
    });
    assert.ok(played.end > played.start, `currentTime advanced (${played.start} → ${played.end})`);
    assert.ok(Math.abs(played.duration - SECONDS) < 0.05, `source lasts ${played.duration} s`);

    await page.getByTestId('export').click();
    const items = page.getByTestId('export-list').locator('li');
    await items.first().waitFor();
    const paths = await items.allInnerTexts();
    const wavs = paths.filter((path) => path.endsWith('.wav'));
    assert.equal(wavs.length, 2, `two WAV files among ${paths.join(', ')}`);
    for (const path of wavs) {
      const bytes = await readFile(path);
      assert.equal(bytes.subarray(0, 4).toString('latin1'), 'RIFF');
      assert.equal(bytes.subarray(8, 12).toString('latin1'), 'WAVE');
      const decoded = decodeWav(new Uint8Array(bytes), path);
      assert.equal(decoded.sampleRate, SAMPLE_RATE);
      assert.equal(decoded.channels.length, 1);
      assert.equal(decoded.channels[0]!.length, SAMPLE_RATE * SECONDS);
    }
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'serve-audio.png'), fullPage: true });
    assert.deepEqual(session.pageErrors, []);
  }));

  it('cancels a running job and returns to the ready state', () =>
    withFailureReport(session, 'serve-audio-cancel', async () => {
    const { page } = session;
    await page.getByTestId('drop-zone').drop({ files: { name: 'noise.wav', mimeType: 'audio/wav', buffer: noiseWav(10) } });
    await page.getByTestId('file-name').filter({ hasText: 'noise.wav' }).waitFor();
    assert.equal(await page.getByTestId('source-player').count(), 0, 'opening another file clears the results');
    await page.getByTestId('components').fill('16');
    await page.getByTestId('iterations').fill('100000');
    await page.getByTestId('run').click();
    // Progress events must arrive while it runs.
    await page.getByTestId('stage').filter({ hasText: /iteration \d+/ }).waitFor();
    const cancel = page.getByTestId('cancel');
    assert.equal(await cancel.isEnabled(), true);
    assert.equal(await page.getByTestId('run').isDisabled(), true);
    await cancel.click();
    await page.getByTestId('stage').filter({ hasText: /Cancelled/ }).waitFor();
    assert.equal(await page.getByTestId('run').isEnabled(), true);
    assert.equal(await cancel.isDisabled(), true);
    assert.equal(await page.getByRole('alert').isHidden(), true);
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'serve-audio-cancelled.png'), fullPage: true });
    assert.deepEqual(session.pageErrors, []);
  }));

  it('shows errors in the alert region and keeps the opened file', () =>
    withFailureReport(session, 'serve-audio-errors', async () => {
      const { page } = session;
      const alert = page.getByRole('alert');
      await page.getByTestId('sources').fill('3');
      await page.getByTestId('components').fill('2');
      await page.getByTestId('run').click();
      await alert.filter({ hasText: 'Components must be at least the number of sources' }).waitFor();

      await page.getByTestId('drop-zone').drop({ files: { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not audio') } });
      await alert.filter({ hasText: /notes\.txt: not a WAV or GeoTIFF file/ }).waitFor();
      assert.equal(await page.getByTestId('file-name').innerText(), 'noise.wav', 'the previous file stays open');
      assert.equal(await page.getByTestId('run').isEnabled(), true);
      await page.screenshot({ path: join(ARTIFACTS_DIR, 'serve-audio-error.png'), fullPage: true });
      // Chromium itself logs every non-2xx response; that one is expected here, nothing else is.
      const unexpected = session.pageErrors.filter((e) => !/Failed to load resource: the server responded with a status of 400/.test(e));
      assert.deepEqual(unexpected, []);
      session.pageErrors.length = 0;
    }));
});
