import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

// Shared by the serve-* end-to-end tests: the real CLI's web host, driven by headless Chromium.

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test', 'artifacts');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export interface ServeSession {
  readonly url: string;
  /** The server's export folder (--out). */
  readonly outDir: string;
  readonly page: Page;
  /** Console errors and uncaught page errors, which every test requires to stay empty. */
  readonly pageErrors: string[];
  /** Everything the server printed so far (stdout and stderr). */
  serverOutput(): string;
  close(): Promise<void>;
}

export interface ServeSessionOptions {
  /** Arguments to `serve` instead of the default `--port 0` (any free port). */
  readonly serveArgs?: readonly string[];
  /** A browser profile folder kept across sessions (localStorage, IndexedDB); default a fresh one. */
  readonly userDataDir?: string;
  /** Keep --out's folder on close (a later session reuses it). */
  readonly outDir?: string;
}

/** Starts `nmf-studio serve` and resolves with the URL it prints (token included). */
function startServer(outDir: string, serveArgs: readonly string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'nmf-studio.js'), 'serve', ...serveArgs, '--out', outDir], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('the server printed no URL within 30 s')), 30_000);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n--- server output ---\n${output}`));
    };
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[0], output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`the server exited early (code ${code}, signal ${signal})`)));
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startServeSession(options: ServeSessionOptions = {}): Promise<ServeSession> {
  const outDir = options.outDir ?? (await mkdtemp(join(tmpdir(), 'nmf-serve-e2e-')));
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const server = await startServer(outDir, options.serveArgs ?? ['--port', '0']);
  server.child.removeAllListeners('exit');
  let context: BrowserContext | null = null;
  try {
    const launch = { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS } as const;
    const viewport = { viewport: { width: 1280, height: 900 } } as const;
    // A persistent profile keeps the page's storage across sessions, as a user's browser does.
    context = options.userDataDir
      ? await chromium.launchPersistentContext(options.userDataDir, { ...launch, ...viewport })
      : await (await chromium.launch(launch)).newContext(viewport);
    // tsx compiles the tests with esbuild's keepNames, which wraps named functions in __name();
    // functions sent to page.evaluate need that helper in the page too.
    await context.addInitScript({ content: 'globalThis.__name ??= (fn) => fn;' });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const pageErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => pageErrors.push(`page: ${error.message}`));
    const opened = context;
    return {
      url: server.url,
      outDir,
      page,
      pageErrors,
      serverOutput: server.output,
      async close() {
        await closeBrowser(opened);
        await stopServer(server.child);
        if (!options.outDir) await rm(outDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (context) await closeBrowser(context);
    await stopServer(server.child);
    throw error;
  }
}

/** Closes a context and the browser it runs in (a persistent context is its own browser). */
async function closeBrowser(context: BrowserContext): Promise<void> {
  const browser = context.browser();
  await context.close();
  await browser?.close();
}

/** Loads the page and checks it is cross-origin isolated (what COOP + COEP are for). */
export async function openApp(session: ServeSession): Promise<void> {
  await session.page.goto(session.url);
  await session.page.getByTestId('home-view').waitFor();
  const isolated = await session.page.evaluate(() => globalThis.crossOriginIsolated);
  if (!isolated) throw new Error('the page is not cross-origin isolated');
}

/**
 * For a describe() block: hooks that start a serve session with the app open before its tests and
 * close it after them. Returns the session's getter (the session exists once the hook has run).
 */
export function useAppSession(options: ServeSessionOptions = {}): () => ServeSession {
  let session: ServeSession | null = null;
  before(async () => {
    session = await startServeSession(options);
    await openApp(session);
  });
  after(async () => {
    await session?.close();
  });
  return () => {
    if (!session) throw new Error('the serve session has not started (useAppSession is for a describe block)');
    return session;
  };
}

/** Runs a test body; on failure saves a screenshot and adds the page's state to the error. */
export async function withFailureReport(session: ServeSession, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const path = join(ARTIFACTS_DIR, `${name}-failure.png`);
    let state = '';
    try {
      await session.page.screenshot({ path, fullPage: true });
      state = await session.page.evaluate(() =>
        ['stage', 'error'].map((id) => `${id}: ${document.getElementById(id)?.textContent ?? ''}`).join('\n'),
      );
    } catch {
      // The page may be gone; the original error matters more.
    }
    const detail = `\n--- page (${path}) ---\n${state}\n--- page errors ---\n${session.pageErrors.join('\n')}`;
    if (error instanceof Error) error.message += detail;
    throw error;
  }
}

/** What a canvas (2-D or WebGL, drawn with preserveDrawingBuffer) shows, for "it renders data" checks. */
export interface CanvasStats {
  readonly width: number;
  readonly height: number;
  /** Distinct RGB colours. */
  readonly colours: number;
  /** Share of pixels that differ from the most common colour (the background, on a sparse plot). */
  readonly inked: number;
  /** A hash of the pixels: changes when the picture does. */
  readonly hash: number;
}

export function canvasStats(canvas: Locator): Promise<CanvasStats> {
  return canvas.evaluate((element) => {
    const source = element as HTMLCanvasElement;
    // Copying into a 2-D canvas reads WebGL canvases too.
    const copy = document.createElement('canvas');
    copy.width = source.width;
    copy.height = source.height;
    const context = copy.getContext('2d')!;
    context.drawImage(source, 0, 0);
    const data = context.getImageData(0, 0, copy.width, copy.height).data;
    const counts = new Map<number, number>();
    let hash = 2166136261;
    for (let p = 0; p < data.length; p += 4) {
      const colour = (data[p]! << 16) | (data[p + 1]! << 8) | data[p + 2]!;
      counts.set(colour, (counts.get(colour) ?? 0) + 1);
      hash = Math.imul(hash ^ colour, 16777619) >>> 0;
    }
    const pixels = data.length / 4;
    const background = Math.max(0, ...counts.values());
    return { width: copy.width, height: copy.height, colours: counts.size, inked: pixels > 0 ? 1 - background / pixels : 0, hash };
  });
}

/**
 * Every control and image on the page that has no accessible name: buttons, inputs, selects,
 * meters, progress bars, role="img" elements and focusable regions. Returns a description of each.
 */
export function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const named = (el: Element): boolean => {
      if (el.getAttribute('aria-label')?.trim()) return true;
      const by = el.getAttribute('aria-labelledby');
      if (by && by.split(/\s+/).some((id) => document.getElementById(id)?.textContent?.trim())) return true;
      if (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent?.trim()) return true;
      if (el.closest('label')?.textContent?.trim()) return true;
      if (el.tagName === 'BUTTON' && el.textContent?.trim()) return true;
      return Boolean(el.getAttribute('title')?.trim());
    };
    const selector = 'button, input:not([type="hidden"]):not([hidden]), select, textarea, meter, progress, [role="img"], [tabindex="0"]';
    return [...document.querySelectorAll(selector)]
      .filter((el) => !(el as HTMLElement).closest('[hidden]') && !(el as HTMLInputElement).hidden)
      .filter((el) => !named(el))
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${String(el.className).replace(/\s+/g, '.')}` : ''}`);
  });
}
