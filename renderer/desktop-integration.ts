import type { DesktopApi, DesktopFile } from '../app/desktop-api.js';

/**
 * Connects the desktop shell's extras (window.nmfDesktop, Electron only) to the page without a
 * second code path: a file the OS opened arrives as a drop of that file (drop-zone.ts handles
 * drops, the one route every file takes into the page), and the menu's Export… presses the
 * Export button.
 *
 * A file the user drops or picks in the page (Open…) that has a path on disk is taken over: the
 * shell reads it by path, so an ENVI header finds its data file and the file joins the recent
 * documents, and it comes back as a drop of what was read. If the shell cannot read it, the
 * original file is dropped instead and the page reports what is wrong with it as usual. Events the
 * page makes itself (untrusted) pass through.
 */
export function installDesktopIntegration(desktop: DesktopApi, doc: Document = document): void {
  const dropFile = (file: File): void => {
    const transfer = new DataTransfer();
    transfer.items.add(file);
    // On the drop zone when there is one, else the body; either way it bubbles to the window.
    const target = doc.getElementById('drop-zone') ?? doc.body;
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  };
  const deliver = (file: DesktopFile): void => dropFile(new File([file.bytes], file.name));

  desktop.onOpenFile(deliver);

  /** Takes a file the user handed over, if it has a path; false leaves it to the page. */
  const takeOver = (event: Event, file: File | undefined): boolean => {
    if (!event.isTrusted || !file || desktop.pathForFile(file) === '') return false;
    event.preventDefault();
    event.stopImmediatePropagation();
    desktop.readDroppedFile(file).then(deliver, () => dropFile(file));
    return true;
  };
  const view = doc.defaultView;
  view?.addEventListener('drop', (event) => void takeOver(event, event.dataTransfer?.files[0]), { capture: true });
  // Open… in the page (its button or Ctrl+O) shows Electron's native chooser through a file
  // input; the file picked there has a path too.
  view?.addEventListener(
    'change',
    (event) => {
      const input = event.target;
      if (!(input instanceof HTMLInputElement) || input.type !== 'file') return;
      // Cleared as the page does, so that picking the same file again still fires 'change'.
      if (takeOver(event, input.files?.[0])) input.value = '';
    },
    { capture: true },
  );

  desktop.onMenuCommand((command) => {
    if (command !== 'export') return;
    const button = doc.getElementById('export-button');
    if (button instanceof HTMLButtonElement && !button.disabled && button.closest('[hidden]') === null) button.click();
  });
}
