/**
 * The layering rules of DEVELOPERS.md as data, and a checker that reads every import specifier in
 * a tree. The per-layer tsconfig `lib`/`types` stop a layer from *using* the wrong globals; this
 * stops it from *importing* the wrong modules (Node built-ins, electron, a higher layer).
 */
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

interface LayerRule {
  readonly layer: string;
  /** Folders (relative to the root) this layer may import from by relative path. */
  readonly mayImport: readonly string[];
  readonly nodeBuiltins: boolean;
  readonly electron: boolean;
}

/** Most specific folder first. */
export const LAYER_RULES: readonly LayerRule[] = [
  { layer: 'main/electron', mayImport: ['main', 'app', 'native-workers/common', 'native-workers/node'], nodeBuiltins: true, electron: true },
  { layer: 'main', mayImport: ['main', 'app', 'native-workers/common', 'native-workers/node'], nodeBuiltins: true, electron: false },
  { layer: 'native-workers/common', mayImport: ['native-workers/common', 'native-workers/wasm', 'app'], nodeBuiltins: false, electron: false },
  // The WebAssembly kernels: AssemblyScript sources (compiled by asc, not TypeScript: not scanned)
  // and the generated module that embeds them, which imports nothing.
  { layer: 'native-workers/wasm', mayImport: [], nodeBuiltins: false, electron: false },
  { layer: 'native-workers/node', mayImport: ['native-workers/node', 'native-workers/common', 'app'], nodeBuiltins: true, electron: false },
  { layer: 'native-workers/browser', mayImport: ['native-workers/browser', 'native-workers/common', 'app'], nodeBuiltins: false, electron: false },
  { layer: 'renderer', mayImport: ['renderer', 'app', 'native-workers/common', 'native-workers/browser'], nodeBuiltins: false, electron: false },
  { layer: 'app', mayImport: ['app'], nodeBuiltins: false, electron: false },
];

/** npm packages that only work in Node: treated like built-ins. */
const NODE_ONLY_PACKAGES = new Set(['ws', 'electron-builder', 'playwright-core', 'esbuild', 'tsx']);

export interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly reason: string;
}

const IMPORT_PATTERNS = [
  /\bimport\s+(?:type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?['"]([^'"]+)['"]/g,
  /\bexport\s+(?:type\s+)?(?:\*|\{[^}]*\})\s+from\s+['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

export function importSpecifiers(source: string): string[] {
  // Comments may mention modules; they are not imports.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const pattern of IMPORT_PATTERNS) for (const match of code.matchAll(pattern)) found.push(match[1]!);
  return found;
}

function isNodeBuiltin(specifier: string): boolean {
  if (specifier.startsWith('node:')) return true;
  const name = specifier.split('/')[0]!;
  return builtinModules.includes(name) || NODE_ONLY_PACKAGES.has(name);
}

function ruleFor(file: string): LayerRule | undefined {
  return LAYER_RULES.find((rule) => file === rule.layer || file.startsWith(`${rule.layer}/`));
}

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...listSources(path));
    else if (/\.(ts|tsx|mts|cts|js|mjs)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

export function findViolations(root: string): Violation[] {
  const violations: Violation[] = [];
  for (const top of ['app', 'native-workers', 'main', 'renderer']) {
    let files: string[];
    try {
      files = listSources(join(root, top));
    } catch {
      continue;
    }
    for (const path of files) {
      const file = relative(root, path).split(sep).join('/');
      if (file.startsWith('native-workers/wasm/assembly/')) continue;
      const rule = ruleFor(file);
      if (!rule) {
        violations.push({ file, specifier: '', reason: 'file is outside every known layer' });
        continue;
      }
      for (const specifier of importSpecifiers(readFileSync(path, 'utf8'))) {
        const bad = (reason: string): void => void violations.push({ file, specifier, reason });
        if (specifier === 'electron' || specifier.startsWith('electron/')) {
          if (!rule.electron) bad(`only main/electron/ may import electron (${rule.layer} may not)`);
        } else if (isNodeBuiltin(specifier)) {
          if (!rule.nodeBuiltins) bad(`${rule.layer} must not import Node-only modules`);
        } else if (specifier.startsWith('.')) {
          const target = relative(root, resolve(dirname(path), specifier)).split(sep).join('/');
          if (!rule.mayImport.some((layer) => target === layer || target.startsWith(`${layer}/`))) {
            bad(`${rule.layer} may import only from ${rule.mayImport.join(', ')} (this resolves to ${target})`);
          }
        }
      }
    }
  }
  return violations;
}
