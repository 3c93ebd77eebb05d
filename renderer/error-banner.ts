import { byId } from './dom.js';

/** The page's one role="alert" region: screen readers announce whatever is put in it. */
export function showError(message: string): void {
  const banner = byId('error', HTMLDivElement);
  banner.textContent = message;
  banner.hidden = false;
}

export function clearError(): void {
  const banner = byId('error', HTMLDivElement);
  banner.textContent = '';
  banner.hidden = true;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
