#!/usr/bin/env node
// Launcher for the bundled CLI (npm run build writes dist/).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/main/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('nmf-studio: not built yet: run `npm run build` in the nmf-studio folder first\n');
  process.exit(1);
}
await import(cli.href);
