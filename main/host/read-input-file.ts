/**
 * Reads an input file from disk for the session host, pairing ENVI files: ENVI keeps the pixels
 * and their description in two files (X.img + X.hdr or X.img.hdr), so opening either one finds
 * the other next to it, and the pair is returned as one buffer (the header embedded in front of
 * the data, app/hsi/envi-reader.ts), named after the data file. Every other format is one file.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { detectFormat } from '../../app/detect-kind.js';
import { ENVI_DATA_EXTENSIONS, enviDataFileCandidates, enviHeaderCandidates } from '../../app/hsi/envi-header.js';
import { embedEnviHeader } from '../../app/hsi/envi-reader.js';

export interface InputFile {
  /** The name to show and to name outputs after (the data file's, for an ENVI pair). */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Largest ENVI header read (headers are text: wavelength lists of a few thousand bands fit easily). */
const MAX_HEADER_BYTES = 16 * 1024 ** 2;

export async function readInputFile(path: string, maxBytes: number): Promise<InputFile> {
  const size = await fileSize(path);
  if (size === null) throw new Error(`${path}: no such file`);
  if (size > maxBytes) throw new Error(`${path}: file too large (${size} bytes; limit ${maxBytes})`);
  const head = await readHead(path, 64);
  const format = detectFormat(head);
  if (format === 'envi') {
    if (size > MAX_HEADER_BYTES) throw new Error(`${path}: an ENVI header of ${size} bytes is too large to be one`);
    const header = await readFile(path);
    const dataPath = await firstFile(enviDataFileCandidates(basename(path)).map((name) => join(dirname(path), name)));
    if (!dataPath) {
      const tried = enviDataFileCandidates(basename(path)).filter((name) => !ENVI_DATA_EXTENSIONS.some((ext) => name.endsWith(ext.toUpperCase())));
      throw new Error(`${path}: ENVI header without its data file: none of ${tried.join(', ')} is next to it`);
    }
    return embed(header, path, dataPath, maxBytes);
  }
  // A file without a known signature may be ENVI data whose header sits next to it (GeoTIFF,
  // MAT, NPY and WAV identify themselves and are never paired).
  const name = basename(path);
  if (format === null) {
    for (const candidate of enviHeaderCandidates(name)) {
      const headerPath = join(dirname(path), candidate);
      if ((await fileSize(headerPath)) === null) continue;
      const first = await readHead(headerPath, 8);
      if (detectFormat(first) !== 'envi') continue;
      return embed(await readFile(headerPath), headerPath, path, maxBytes);
    }
  }
  return { name, bytes: new Uint8Array(await readFile(path)) };
}

async function embed(header: Uint8Array, headerPath: string, dataPath: string, maxBytes: number): Promise<InputFile> {
  // Validates the header (errors name it) and gives the bytes to put before the data.
  const prefix = embedEnviHeader(header, basename(headerPath));
  const dataSize = (await fileSize(dataPath)) ?? 0;
  if (prefix.length + dataSize > maxBytes) throw new Error(`${dataPath}: file too large (${dataSize} bytes; limit ${maxBytes})`);
  // One allocation: the data file is read straight into place after the header.
  const bytes = new Uint8Array(prefix.length + dataSize);
  bytes.set(prefix, 0);
  const handle = await open(dataPath, 'r');
  try {
    let done = 0;
    while (done < dataSize) {
      const { bytesRead } = await handle.read(bytes, prefix.length + done, dataSize - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    if (done < dataSize) throw new Error(`${dataPath}: the file shrank while it was read (${done} of ${dataSize} bytes)`);
  } finally {
    await handle.close();
  }
  return { name: basename(dataPath), bytes };
}

async function fileSize(path: string): Promise<number | null> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error(`${path}: not a file`);
    return info.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw error instanceof Error && error.message.startsWith(path) ? error : new Error(`${path}: ${(error as Error).message}`);
  }
}

async function firstFile(paths: readonly string[]): Promise<string | null> {
  for (const path of paths) {
    try {
      if ((await stat(path)).isFile()) return path;
    } catch {
      // not there: try the next name
    }
  }
  return null;
}

async function readHead(path: string, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
