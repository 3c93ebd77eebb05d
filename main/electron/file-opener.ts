/**
 * Files the user opens through the operating system (command line, file manager, File ▸ Open…,
 * recent documents, a second launch, a drop with a path) are read here, by path, and handed to
 * the page as bytes, which then opens them exactly like a file it picked itself. Reading by path
 * is what lets an ENVI header find its data file next to it (main/host/read-input-file.ts) and
 * puts the file among the recent documents. Files that arrive before the page listens wait.
 * Plain module: the reading, delivering and recent-documents calls are parameters.
 */
import type { DesktopFile } from '../../app/desktop-api.js';

/**
 * Largest file handed over IPC. A message is serialized whole, and Electron fails (or crashes)
 * on messages past about 1 GiB; the page then sends the bytes back for decoding, so stay well below.
 */
export const MAX_DESKTOP_FILE_BYTES = 512 * 1024 ** 2;

export interface FileOpenerDeps<Target> {
  /** Reads a file (or an ENVI pair) by path; errors name the file. */
  read(path: string, maxBytes: number): Promise<{ name: string; bytes: Uint8Array }>;
  deliver(target: Target, file: DesktopFile): void;
  addRecentDocument(path: string): void;
  /** A file that could not be read (missing, too large, ENVI header without data). */
  reportError(error: Error): void;
}

/**
 * The page shows one file at a time, so when several paths arrive together (a multi-selection in
 * the file manager) the last one wins, and a file that waits is replaced by a newer one.
 */
export class FileOpener<Target> {
  private waiting: string | null = null;
  private target: Target | null = null;
  /** Deliveries in the order the files were opened, whatever order the reads finish in. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: FileOpenerDeps<Target>) {}

  /** Opens now if the page listens, else when it does. Resolves when this file was handled. */
  open(paths: readonly string[]): Promise<void> {
    const path = paths.at(-1);
    if (path === undefined) return this.chain;
    if (this.target === null) {
      this.waiting = path;
      return this.chain;
    }
    const target = this.target;
    const read = this.read(path);
    // Keep the rejection handled even while an earlier delivery is still pending.
    read.catch(() => {});
    this.chain = this.chain.then(async () => {
      try {
        this.deps.deliver(target, await read);
      } catch (error) {
        this.deps.reportError(error instanceof Error ? error : new Error(String(error)));
      }
    });
    return this.chain;
  }

  /** The page listens (or listens again, after a reload): the file that waited goes to it. */
  ready(target: Target): Promise<void> {
    this.target = target;
    const waiting = this.waiting;
    this.waiting = null;
    return this.open(waiting === null ? [] : [waiting]);
  }

  /** The page is gone (window closed): later files wait for the next one. */
  detach(target: Target): void {
    if (this.target === target) this.target = null;
  }

  get pending(): string | null {
    return this.waiting;
  }

  /** A dropped file, read for the page that asked (its errors go back to that page). */
  async readDropped(path: string): Promise<DesktopFile> {
    return this.read(path);
  }

  private async read(path: string): Promise<DesktopFile> {
    const { name, bytes } = await this.deps.read(path, MAX_DESKTOP_FILE_BYTES);
    this.deps.addRecentDocument(path);
    // An exactly-sized ArrayBuffer: a small Buffer from node:fs may be a view into a shared pool,
    // whose other bytes must not travel to the page. (Buffer#slice is a view too: copy instead.)
    const exact = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : new Uint8Array(bytes).buffer;
    return { name, bytes: exact as ArrayBuffer };
  }
}
