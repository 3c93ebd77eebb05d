/**
 * What the desktop shell adds to HostApi: the operating system's ways of opening a file (command
 * line, double-click in the file manager, File ▸ Open…, recent documents, a second launch, a drop
 * that carries a path) and the native menu. The Electron preload exposes it as `window.nmfDesktop`
 * next to `window.nmfHost`; the web host has no equivalent (a browser only ever hands over bytes),
 * so the page treats it as optional.
 *
 * Like HostApi, everything crossing it survives structured clone.
 */

/** A file the shell read for the page, named as the page should show it. */
export interface DesktopFile {
  /** The file's name (the data file's, for an ENVI header + data pair). */
  readonly name: string;
  /** The file's bytes (an ENVI pair is one buffer, the header embedded in front of the data). */
  readonly bytes: ArrayBuffer;
}

/** Menu items whose action lives in the page. */
export type MenuCommand = 'export';

export const MENU_COMMANDS = ['export'] as const satisfies readonly MenuCommand[];

export interface DesktopApi {
  /**
   * Files the user opened through the OS. The shell holds them until the first listener
   * subscribes, so files named on the command line are not lost while the page loads.
   */
  onOpenFile(listener: (file: DesktopFile) => void): () => void;
  /**
   * The path of a file that the user dropped or picked (a DOM `File`), or '' when it has none.
   * A page cannot make up a path: only files that came from the user's own drop or pick have one.
   */
  pathForFile(file: object): string;
  /**
   * Reads a dropped or picked file through the shell by its path, so that what only the file system knows
   * is used (an ENVI header finds its data file next to it) and the file joins the recent
   * documents. Takes the DOM `File` itself, never a path string.
   */
  readDroppedFile(file: object): Promise<DesktopFile>;
  /** Menu items (and their accelerators) whose action is in the page. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}
