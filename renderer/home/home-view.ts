import { byId, element } from '../dom.js';
import { formatBytes } from '../format.js';
import { cachedBytes, forgetRecentFiles, listRecentFiles, type RecentFile } from './recent-files.js';

/** A file's name and bytes, however it arrived (drop, Open…, demo, recent list). */
export interface InputFile {
  readonly name: string;
  readonly bytes: ArrayBuffer;
}

export interface HomeHandlers {
  onFile(file: InputFile): void;
  onOpenDialog(): void;
  onError(message: string): void;
}

/** The start page: drop zone, demos one click away, recent files. */
export class HomeView {
  private readonly view = byId('home-view', HTMLElement);
  private readonly list = byId('recent-list', HTMLUListElement);
  private readonly empty = byId('recent-empty', HTMLParagraphElement);

  constructor(private readonly handlers: HomeHandlers) {
    byId('drop-open-button', HTMLButtonElement).addEventListener('click', () => handlers.onOpenDialog());
    for (const button of this.view.querySelectorAll<HTMLButtonElement>('button[data-demo]')) {
      button.addEventListener('click', () => void this.openDemo(button));
    }
  }

  show(visible: boolean): void {
    this.view.hidden = !visible;
    if (visible) this.renderRecent();
  }

  renderRecent(): void {
    const files = listRecentFiles();
    this.empty.hidden = files.length > 0;
    const items = files.map((file) => this.recentItem(file));
    if (files.length > 0) {
      const clear = element('button', { className: 'link', text: 'Clear the list', attrs: { type: 'button', 'data-testid': 'recent-clear' } });
      clear.addEventListener('click', () => {
        forgetRecentFiles();
        this.renderRecent();
      });
      items.push(element('li', { className: 'recent-clear' }, [clear]));
    }
    this.list.replaceChildren(...items);
  }

  private recentItem(file: RecentFile): HTMLLIElement {
    const when = new Date(file.openedAt).toLocaleString();
    const button = element('button', { className: 'recent', attrs: { type: 'button', 'data-testid': 'recent-file', title: file.cached ? `Open ${file.name} again` : `${file.name} was too large to keep: pick it again` } }, [
      element('strong', { text: file.name }),
      element('span', { text: `${file.kind === 'audio' ? 'Audio' : 'Cube'} · ${formatBytes(file.byteLength)} · ${when}` }),
    ]);
    button.addEventListener('click', () => void this.openRecent(file));
    return element('li', {}, [button]);
  }

  private async openRecent(file: RecentFile): Promise<void> {
    const bytes = file.cached ? await cachedBytes(file.key) : null;
    if (bytes) this.handlers.onFile({ name: file.name, bytes });
    else {
      this.handlers.onError(`${file.name} is not kept by the browser: pick it again.`);
      this.handlers.onOpenDialog();
    }
  }

  private async openDemo(button: HTMLButtonElement): Promise<void> {
    const name = button.dataset.demo!;
    button.disabled = true;
    try {
      const response = await fetch(`demo/${encodeURIComponent(name)}`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.handlers.onFile({ name, bytes: await response.arrayBuffer() });
    } catch (error) {
      this.handlers.onError(`Could not load the demo ${name}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      button.disabled = false;
    }
  }
}
