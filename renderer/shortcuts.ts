/**
 * The keyboard shortcuts: Space plays or pauses, Ctrl+O / ⌘O opens a file, Ctrl+E / ⌘E exports.
 * Space is left alone where it types or presses something (text fields, buttons, menus), so it
 * never both activates a focused button and toggles playback.
 */
export interface ShortcutHandlers {
  togglePlay(): void;
  open(): void;
  exportAll(): void;
}

function typesOrActivates(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'A', 'SUMMARY'].includes(target.tagName);
}

export function installShortcuts(handlers: ShortcutHandlers): () => void {
  const onKey = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || event.altKey) return;
    const command = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (command && !event.shiftKey && key === 'o') {
      event.preventDefault();
      handlers.open();
    } else if (command && !event.shiftKey && key === 'e') {
      event.preventDefault();
      handlers.exportAll();
    } else if (!command && !event.shiftKey && (event.key === ' ' || event.code === 'Space') && !typesOrActivates(event.target)) {
      event.preventDefault();
      handlers.togglePlay();
    }
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
