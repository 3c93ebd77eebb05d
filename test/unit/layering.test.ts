import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findViolations, importSpecifiers } from '../layering.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('the project respects its layering', () => {
  const violations = findViolations(root);
  assert.deepEqual(violations, [], violations.map((v) => `${v.file}: '${v.specifier}': ${v.reason}`).join('\n'));
});

test('the checker sees every import form', () => {
  const source = `
    import a from 'a';
    import type { B } from "b";
    import * as c from 'c';
    import 'd';
    export { e } from 'e';
    export * from 'f';
    const g = await import('g');
    const h = require('h');
    // import x from 'commented-out';
  `;
  assert.deepEqual(importSpecifiers(source).sort(), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
});

test('the checker catches each kind of violation', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nmf-layering-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const put = (path: string, text: string): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  put('app/ok.ts', "import { x } from './other.js';\nimport fft from 'fft.js';\n");
  put('app/uses-fs.ts', "import { readFileSync } from 'node:fs';\n");
  put('app/uses-path.ts', "import path from 'path';\n");
  put('app/uses-main.ts', "import { y } from '../main/host/thing.js';\n");
  put('native-workers/common/uses-electron.ts', "import { app } from 'electron';\n");
  put('native-workers/node/ok.ts', "import { Worker } from 'node:worker_threads';\n");
  put('native-workers/browser/uses-worker-threads.ts', "import { Worker } from 'worker_threads';\n");
  put('renderer/uses-fs.ts', "const fs = require('fs');\n");
  put('renderer/uses-ws.ts', "import WebSocket from 'ws';\n");
  put('main/host/uses-electron.ts', "import { app } from 'electron';\n");
  put('main/electron/ok.ts', "import { app } from 'electron';\nimport { z } from '../host/thing.js';\n");
  put('main/host/uses-renderer.ts', "import { w } from '../../renderer/app.js';\n");
  const flagged = findViolations(dir).map((v) => v.file).sort();
  assert.deepEqual(flagged, [
    'app/uses-fs.ts',
    'app/uses-main.ts',
    'app/uses-path.ts',
    'main/host/uses-electron.ts',
    'main/host/uses-renderer.ts',
    'native-workers/browser/uses-worker-threads.ts',
    'native-workers/common/uses-electron.ts',
    'renderer/uses-fs.ts',
    'renderer/uses-ws.ts',
  ]);
});
