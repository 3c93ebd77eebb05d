// Bundles every entry point with esbuild. Node-side bundles keep node_modules external (they are
// installed next to them); browser bundles inline everything.
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The WebAssembly kernels first: the bundles embed them.
await import('./build-wasm.mjs');
const out = join(root, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = { bundle: true, sourcemap: true, logLevel: 'warning', absWorkingDir: root, target: 'es2022' };
// wav-decoder probes Node's `global.Buffer`; browsers only have globalThis.
const browser = { ...common, platform: 'browser', format: 'esm', define: { global: 'globalThis' } };
const node = { ...common, platform: 'node', target: 'node20', packages: 'external' };

// geotiff imports `web-worker` for an optional decoder pool we never use. In a worker thread that
// package takes over the thread's global scope (it assumes it is its own polyfilled worker), so
// the compute worker is bundled whole with `web-worker` replaced by a stub.
const stubWebWorker = {
  name: 'stub-web-worker',
  setup(b) {
    b.onResolve({ filter: /^web-worker$/ }, () => ({ path: 'web-worker', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: "export default class { constructor() { throw new Error('geotiff decoder pool is disabled'); } }",
    }));
  },
};

await Promise.all([
  build({ ...node, format: 'esm', entryPoints: { 'main/cli': 'main/cli/cli.ts' }, outdir: out }),
  build({
    ...common,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    entryPoints: { 'native-workers/node-worker': 'native-workers/node/node-worker.ts' },
    outdir: out,
    plugins: [stubWebWorker],
  }),
  build({ ...browser, entryPoints: { 'renderer/app': 'renderer/app.ts' }, outdir: out }),
  build({ ...browser, entryPoints: { 'renderer/browser-worker': 'native-workers/browser/browser-worker.ts' }, outdir: out }),
  // The page's analysis worker (spectrograms, band images, PCA for the workspaces).
  build({ ...browser, entryPoints: { 'renderer/analysis-worker': 'renderer/analysis/analysis-worker.ts' }, outdir: out }),
  // Electron's main process is ESM; its sandboxed preload must be CommonJS and may require only
  // 'electron', so it is bundled whole.
  build({ ...node, format: 'esm', entryPoints: { 'electron/main': 'main/electron/electron-main.ts' }, outdir: out, external: ['electron'] }),
  build({ ...common, platform: 'node', target: 'node20', format: 'cjs', entryPoints: { 'electron/preload': 'main/electron/preload.ts' }, outdir: out, outExtension: { '.js': '.cjs' }, external: ['electron'] }),
]);
cpSync(join(root, 'renderer/static'), join(out, 'renderer'), { recursive: true });
console.log('built dist/');
