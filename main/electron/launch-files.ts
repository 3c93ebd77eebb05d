/**
 * Which command-line arguments name files to open. Windows and Linux start the app with the
 * file's path as an argument (file associations, "Open with"), and a second launch hands its
 * argv to the first instance (app 'second-instance', with the second launch's working folder).
 * Chromium and Electron switches (`--foo`, `-psn_…` from old macOS Finder launches) are not files;
 * under `electron .` (process.defaultApp) the first plain argument is the app itself.
 */
import { isAbsolute, resolve } from 'node:path';

export interface ArgvOptions {
  /** process.defaultApp: started as `electron <app> …` rather than as the packaged executable. */
  readonly defaultApp: boolean;
  /** Folder that relative paths are relative to (the launching process's). */
  readonly cwd: string;
}

export function filesFromArgv(argv: readonly string[], options: ArgvOptions): string[] {
  const files: string[] = [];
  let appPathSkipped = !options.defaultApp;
  let afterDoubleDash = false;
  for (const arg of argv.slice(1)) {
    if (!afterDoubleDash && arg === '--') {
      afterDoubleDash = true;
      continue;
    }
    if (!afterDoubleDash && arg.startsWith('-')) continue;
    if (!appPathSkipped) {
      appPathSkipped = true;
      continue;
    }
    if (arg === '' || arg.includes('\0')) continue;
    const path = isAbsolute(arg) ? arg : resolve(options.cwd, arg);
    if (!files.includes(path)) files.push(path);
  }
  return files;
}

/** What a second launch hands the first instance (app.requestSingleInstanceLock's additionalData). */
export interface LaunchData {
  readonly files: readonly string[];
}

/**
 * The files a second launch sent, or null when its data is not a LaunchData (an older or foreign
 * build): then the first instance falls back to parsing the argv it was given. Another process
 * sent this, so only absolute paths without NUL are taken.
 */
export function filesFromLaunchData(data: unknown): string[] | null {
  if (typeof data !== 'object' || data === null) return null;
  const files = (data as { files?: unknown }).files;
  if (!Array.isArray(files) || files.length > 1000) return null;
  return files.filter((f): f is string => typeof f === 'string' && f !== '' && !f.includes('\0') && isAbsolute(f));
}
