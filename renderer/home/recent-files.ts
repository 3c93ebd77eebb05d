/**
 * Recently opened files. The list (name, kind, size, when) lives in localStorage; the bytes of
 * files up to 64 MiB are kept in IndexedDB, so that a recent file reopens in one click even in a
 * browser, which cannot reopen a file by name. Storage failures (private windows, quota) only
 * cost the shortcut: they never stop a file from opening.
 */
export interface RecentFile {
  readonly key: string;
  readonly name: string;
  readonly kind: 'audio' | 'cube';
  readonly byteLength: number;
  readonly openedAt: number;
  readonly cached: boolean;
}

const LIST_KEY = 'nmf-studio.recent-files';
const MAX_ENTRIES = 8;
const MAX_CACHED_BYTES = 64 * 1024 * 1024;
const DB_NAME = 'nmf-studio';
const STORE = 'recent-files';

function recentKey(name: string, byteLength: number): string {
  return `${name}\u0000${byteLength}`;
}

export function listRecentFiles(): RecentFile[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(LIST_KEY) ?? '[]') as unknown;
    return Array.isArray(parsed) ? parsed.filter(isRecentFile) : [];
  } catch {
    return [];
  }
}

function isRecentFile(value: unknown): value is RecentFile {
  const v = value as Partial<RecentFile> | null;
  return typeof v?.key === 'string' && typeof v.name === 'string' && (v.kind === 'audio' || v.kind === 'cube') && typeof v.byteLength === 'number';
}

/** Puts a file at the top of the list and caches its bytes when small enough. */
export async function rememberFile(name: string, kind: 'audio' | 'cube', bytes: ArrayBuffer): Promise<void> {
  const key = recentKey(name, bytes.byteLength);
  let cached = false;
  if (bytes.byteLength <= MAX_CACHED_BYTES) {
    cached = await withStore('readwrite', (store) => store.put(bytes.slice(0), key)).then(
      () => true,
      () => false,
    );
  }
  const entry: RecentFile = { key, name, kind, byteLength: bytes.byteLength, openedAt: Date.now(), cached };
  const rest = listRecentFiles().filter((f) => f.key !== key);
  const list = [entry, ...rest];
  const dropped = list.splice(MAX_ENTRIES);
  try {
    localStorage.setItem(LIST_KEY, JSON.stringify(list));
  } catch {
    return;
  }
  for (const old of dropped) void withStore('readwrite', (store) => store.delete(old.key)).catch(() => undefined);
}

/** The cached bytes of a recent file, or null when they were not kept. */
export async function cachedBytes(key: string): Promise<ArrayBuffer | null> {
  try {
    const value = await withStore('readonly', (store) => store.get(key));
    return value instanceof ArrayBuffer ? value : null;
  } catch {
    return null;
  }
}

export function forgetRecentFiles(): void {
  try {
    localStorage.removeItem(LIST_KEY);
  } catch {
    // Nothing stored, nothing to forget.
  }
  void withStore('readwrite', (store) => store.clear()).catch(() => undefined);
}

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB unavailable'));
  });
}

async function withStore<T>(mode: IDBTransactionMode, body: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = body(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}
