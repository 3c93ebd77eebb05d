import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import asar from '@electron/asar';

/**
 * What can be checked of the desktop package offline: electron-builder --dir, with electronDist
 * pointing at a stand-in Electron made here (a script carrying Electron's fuse wire, so the
 * release fuses can be flipped and read back), then the archive's contents. Installers (nsis,
 * dmg, AppImage, deb) need tools electron-builder downloads, and the real Electron binary: that is
 * `npm run dist` on a machine with internet.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };

const BUILT = [
  'dist/electron/main.js',
  'dist/electron/preload.cjs',
  'dist/renderer/index.html',
  'dist/renderer/app.js',
  'dist/renderer/browser-worker.js',
  'dist/renderer/analysis-worker.js',
  'dist/native-workers/node-worker.js',
];
const missing = BUILT.filter((path) => !existsSync(join(ROOT, path)));
const skip = missing.length > 0 && `the app is not built (${missing.join(', ')} missing): run npm run build`;

/** @electron/fuses' marker, followed by the wire version, the wire length and one byte per fuse. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSES = ['RunAsNode', 'EnableCookieEncryption', 'EnableNodeOptionsEnvironmentVariable', 'EnableNodeCliInspectArguments', 'EnableEmbeddedAsarIntegrityValidation', 'OnlyLoadAppFromAsar', 'LoadBrowserProcessSpecificV8Snapshot', 'GrantFileProtocolExtraPrivileges'] as const;
/** Electron's own defaults: '1' on, '0' off. */
const DEFAULT_WIRE = '10110001';

function readFuses(binary: Buffer): Record<string, string> {
  const at = binary.indexOf(FUSE_SENTINEL);
  assert.ok(at >= 0, 'no fuse wire in the packaged executable');
  const wire = at + FUSE_SENTINEL.length;
  assert.equal(binary[wire], 1, 'fuse wire version 1');
  const length = binary[wire + 1]!;
  return Object.fromEntries(FUSES.slice(0, length).map((name, i) => [name, String.fromCharCode(binary[wire + 2 + i]!)]));
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('desktop package (electron-builder --dir, stand-in Electron)', { skip }, () => {
  let dir: string;
  let appDir: string;
  let files: string[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nmf-package-'));
    const standIn = join(dir, 'electron-dist');
    await mkdir(join(standIn, 'resources'), { recursive: true });
    const executable = Buffer.concat([Buffer.from('#!/bin/sh\necho "stand-in for Electron"\nexit 0\n# '), Buffer.from(FUSE_SENTINEL), Buffer.from([1, DEFAULT_WIRE.length]), Buffer.from(DEFAULT_WIRE), Buffer.from('\n')]);
    await writeFile(join(standIn, 'electron'), executable);
    await chmod(join(standIn, 'electron'), 0o755);
    const version = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
    await writeFile(join(standIn, 'version'), version);
    await writeFile(join(standIn, 'LICENSE'), 'stand-in');
    await writeFile(join(standIn, 'LICENSES.chromium.html'), 'stand-in');
    const out = join(dir, 'out');
    const result = await run(
      process.execPath,
      [join(ROOT, 'node_modules', 'electron-builder', 'cli.js'), '--dir', '--linux', '--x64', `-c.electronDist=${standIn}`, `-c.directories.output=${out}`],
      { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
    );
    assert.equal(result.code, 0, `electron-builder failed:\n${result.output}`);
    appDir = join(out, 'linux-unpacked');
    files = asar.listPackage(join(appDir, 'resources', 'app.asar'), { isPack: false }).map((p) => p.split('\\').join('/'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('holds the bundles: main, preload, renderer, the compute and analysis workers, the demos', () => {
    const page = ['/dist/renderer/style.css', '/dist/renderer/app.css', '/dist/renderer/demo/demo-mixture.wav', '/dist/renderer/demo/demo-cube.tif'];
    for (const path of ['/package.json', ...BUILT.map((p) => `/${p}`), ...page, '/dist/main/cli.js']) assert.ok(files.includes(path), `${path} is in app.asar`);
    // Worker threads start from a file: the Node worker is unpacked beside the archive.
    assert.ok(existsSync(join(appDir, 'resources', 'app.asar.unpacked', 'dist', 'native-workers', 'node-worker.js')));
    const pkg = JSON.parse(asar.extractFile(join(appDir, 'resources', 'app.asar'), 'package.json').toString()) as { main: string };
    assert.equal(pkg.main, 'dist/electron/main.js');
  });

  it('holds the WebAssembly kernels, embedded in both worker bundles', async () => {
    const generated = await readFile(join(ROOT, 'native-workers', 'wasm', 'kernels-wasm.generated.ts'), 'utf8');
    const modules = [...generated.matchAll(/'(AGFzbQ[A-Za-z0-9+/=]+)'/g)].map((m) => m[1]!);
    assert.ok(modules.length > 0, 'the generated module embeds at least one WebAssembly binary');
    const browserWorker = asar.extractFile(join(appDir, 'resources', 'app.asar'), 'dist/renderer/browser-worker.js').toString();
    const nodeWorker = await readFile(join(appDir, 'resources', 'app.asar.unpacked', 'dist', 'native-workers', 'node-worker.js'), 'utf8');
    for (const base64 of modules) {
      assert.deepEqual([...Buffer.from(base64, 'base64').subarray(0, 8)], [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], 'a WebAssembly 1 binary');
      assert.ok(browserWorker.includes(base64), 'browser worker embeds the kernels');
      assert.ok(nodeWorker.includes(base64), 'node worker embeds the kernels');
    }
  });

  it('holds nothing from the sources, tests, scripts or build tools, and no source maps', () => {
    const ours = files.filter((p) => p !== '/node_modules' && !p.startsWith('/node_modules/'));
    for (const path of ours) {
      assert.ok(path === '/package.json' || path === '/dist' || path.startsWith('/dist/'), `${path} does not belong in the package`);
      assert.ok(!path.endsWith('.map') && !path.endsWith('.ts'), path);
    }
    for (const prefix of ['/test', '/bench', '/scripts', '/app/', '/main/', '/renderer/', '/native-workers/', '/build/', '/.ci', '/release']) {
      assert.ok(!files.some((p) => p.startsWith(prefix)), `nothing under ${prefix}`);
    }
    for (const tool of ['electron', 'electron-builder', 'typescript', 'esbuild', 'playwright-core', 'tsx', 'three', 'assemblyscript']) {
      assert.ok(!files.includes(`/node_modules/${tool}`), `${tool} is not shipped`);
    }
  });

  it('holds every package the Electron main bundle imports at run time', async () => {
    const main = await readFile(join(ROOT, 'dist', 'electron', 'main.js'), 'utf8');
    const bare = new Set([...main.matchAll(/^import\s[^'"]*['"]([^'"./][^'"]*)['"]/gm)].map((m) => m[1]!).filter((s) => !s.startsWith('node:') && s !== 'electron'));
    for (const specifier of bare) {
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
      assert.ok(files.includes(`/node_modules/${name}/package.json`), `${name} (imported by the main bundle) is in the package`);
    }
  });

  it('flips the release fuses', async () => {
    const fuses = readFuses(await readFile(join(appDir, 'nmf-studio')));
    assert.deepEqual(fuses, {
      RunAsNode: '0',
      EnableCookieEncryption: '0',
      EnableNodeOptionsEnvironmentVariable: '0',
      EnableNodeCliInspectArguments: '0',
      EnableEmbeddedAsarIntegrityValidation: '1',
      OnlyLoadAppFromAsar: '1',
      LoadBrowserProcessSpecificV8Snapshot: '0',
      GrantFileProtocolExtraPrivileges: '0',
    });
  });
});

describe('electron-builder.yml', () => {
  const config = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as {
    appId: string;
    productName: string;
    asar: boolean;
    directories: { buildResources: string };
    fileAssociations: { ext: string | string[] }[];
    linux: { target: string[] };
    win: { target: string[] };
    mac: { target: { target: string; arch: string[] }[] };
  };

  it('names the app, packs an asar and ships icons', () => {
    assert.equal(config.appId, 'org.nmfstudio.app');
    assert.equal(config.productName, 'NMF Studio');
    assert.equal(config.asar, true);
    for (const icon of ['icon.png', 'icon.ico', 'icon.icns', 'icons/256x256.png', 'icons/512x512.png']) {
      const path = join(ROOT, config.directories.buildResources, icon);
      assert.ok(existsSync(path), icon);
      const head = readFileSync(path).subarray(0, 8);
      if (icon.endsWith('.png')) assert.deepEqual([...head], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], icon);
    }
    assert.equal(readFileSync(join(ROOT, 'build', 'icon.png')).readUInt32BE(16), 1024, 'icon.png is 1024 px wide');
  });

  it('targets nsis + portable, dmg + zip on x64 and arm64, AppImage + deb', () => {
    assert.deepEqual(config.win.target, ['nsis', 'portable']);
    assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
    assert.deepEqual(config.mac.target.map((t) => t.target), ['dmg', 'zip']);
    for (const t of config.mac.target) assert.deepEqual(t.arch, ['x64', 'arm64']);
  });

  it('associates .wav .tif .tiff .hdr .mat with the app', () => {
    const extensions = config.fileAssociations.flatMap((a) => (Array.isArray(a.ext) ? a.ext : [a.ext]));
    for (const ext of ['wav', 'tif', 'tiff', 'hdr', 'mat']) assert.ok(extensions.includes(ext), ext);
  });
});
