import { randomBytes } from 'node:crypto';
import { link, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

/** What to do when the target file already exists. */
export type OnExisting = 'fail' | 'overwrite' | 'rename';

export class FileExistsError extends Error {
  constructor(readonly path: string) {
    super(`${path} already exists (use --force to overwrite)`);
  }
}

/**
 * Writes bytes so that the target is either absent or complete, never partial: the data goes to a
 * temporary file in the same folder (same file system), which is then renamed over the target
 * (overwrite) or hard-linked to it (no overwrite: link() fails atomically if the target exists, so
 * a file created meanwhile by someone else is never clobbered). Returns the path written, which
 * differs from `path` when `onExisting` is 'rename' ("name (2).ext", "name (3).ext", …).
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array, onExisting: OnExisting): Promise<string> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
  await writeFile(temp, bytes, { flag: 'wx' });
  try {
    if (onExisting === 'overwrite') {
      await rename(temp, path);
      return path;
    }
    for (let attempt = 1; attempt < 1000; attempt++) {
      const candidate = attempt === 1 ? path : numbered(path, attempt);
      try {
        await link(temp, candidate);
        return candidate;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (onExisting === 'fail') throw new FileExistsError(candidate);
      }
    }
    throw new Error(`could not find a free name for ${path}`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

function numbered(path: string, n: number): string {
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)} (${n})${ext}`;
}
