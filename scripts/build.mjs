// Bundles every entry point with esbuild. Node-side bundles keep node_modules external (they are
// installed next to them); browser bundles inline everything.
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = { bundle: true, sourcemap: true, logLevel: 'warning', absWorkingDir: root, target: 'es2022' };
const node = { ...common, platform: 'node', target: 'node20', packages: 'external' };

await Promise.all([
  build({ ...node, format: 'esm', entryPoints: { 'main/cli': 'main/cli/cli.ts' }, outdir: out }),
  build({ ...node, format: 'esm', entryPoints: { 'native-workers/node-worker': 'native-workers/node/node-worker.ts' }, outdir: out }),
  build({ ...common, platform: 'browser', format: 'esm', entryPoints: { 'renderer/app': 'renderer/app.ts' }, outdir: out }),
  build({ ...common, platform: 'browser', format: 'esm', entryPoints: { 'renderer/browser-worker': 'native-workers/browser/browser-worker.ts' }, outdir: out }),
  // Electron's main process is ESM; its sandboxed preload must be CommonJS and may require only
  // 'electron', so it is bundled whole.
  build({ ...node, format: 'esm', entryPoints: { 'electron/main': 'main/electron/electron-main.ts' }, outdir: out, external: ['electron'] }),
  build({ ...common, platform: 'node', target: 'node20', format: 'cjs', entryPoints: { 'electron/preload': 'main/electron/preload.ts' }, outdir: out, outExtension: { '.js': '.cjs' }, external: ['electron'] }),
]);
cpSync(join(root, 'renderer/static'), join(out, 'renderer'), { recursive: true });
console.log('built dist/');
