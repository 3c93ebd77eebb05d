import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { parseCli } from '../../main/cli/cli-args.js';
import { DEFAULT_SERVE_PORT, listenOnLoopback } from '../../main/serve/port-choice.js';

// `serve`'s port (main/serve/port-choice.ts): a fixed default, so that the page's origin and with
// it the browser's recent-files storage stay the same from one run to the next; the next free
// port when the default is taken; any port with --port 0.

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function server(): Server {
  const s = createServer();
  servers.push(s);
  return s;
}

/** A port that was free a moment ago, with the next one free too (checked by binding both). */
async function freePair(): Promise<number> {
  for (;;) {
    const probe = server();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    if (port >= 65535) continue;
    const next = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      next.once('error', () => resolve(false));
      next.listen(port + 1, '127.0.0.1', () => resolve(true));
    });
    if (ok) {
      await new Promise((resolve) => next.close(resolve));
      return port;
    }
  }
}

describe('serve: port choice', () => {
  it('parses no --port as the fixed default and --port 0 as any port', () => {
    assert.deepEqual(parseCli(['serve']), { command: 'serve', port: 'default', out: undefined });
    assert.deepEqual(parseCli(['serve', '--port', '0']), { command: 'serve', port: 0, out: undefined });
    assert.deepEqual(parseCli(['serve', '--port', '8123']), { command: 'serve', port: 8123, out: undefined });
    assert.ok(DEFAULT_SERVE_PORT > 1024 && DEFAULT_SERVE_PORT < 49152, 'a registered-range port: not privileged, not ephemeral');
  });

  it('takes the default port when it is free, and the same one again after a restart', async () => {
    const first = await freePair();
    const a = server();
    assert.deepEqual(await listenOnLoopback(a, { port: 'default', first }), { port: first, fellBackFrom: null });
    await new Promise((resolve) => a.close(resolve));
    assert.deepEqual(await listenOnLoopback(server(), { port: 'default', first }), { port: first, fellBackFrom: null });
  });

  it('falls back to the next free port when the default is taken, and says which it left', async () => {
    const first = await freePair();
    await listenOnLoopback(server(), { port: first });
    const chosen = await listenOnLoopback(server(), { port: 'default', first });
    assert.deepEqual(chosen, { port: first + 1, fellBackFrom: first });
  });

  it('refuses a busy explicit port by number, and gives up after the fallback range', async () => {
    const first = await freePair();
    await listenOnLoopback(server(), { port: first });
    await assert.rejects(listenOnLoopback(server(), { port: first }), new RegExp(`port ${first} on 127\\.0\\.0\\.1 is in use.*--port 0`));
    await assert.rejects(listenOnLoopback(server(), { port: 'default', first, attempts: 1 }), new RegExp(`ports ${first}–${first} on 127\\.0\\.0\\.1 are all in use`));
  });

  it('--port 0 takes any free port', async () => {
    const chosen = await listenOnLoopback(server(), { port: 0 });
    assert.ok(chosen.port > 0 && chosen.fellBackFrom === null);
  });
});
