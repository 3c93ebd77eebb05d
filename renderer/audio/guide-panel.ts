import { element } from '../dom.js';
import type { GuideRange, GuideSet } from './guide-set.js';

export interface GuidePanelHandlers {
  /** Starts a guided separation with the run panel's parameters plus these guides. */
  onRun(): void;
  onMarkingChange(on: boolean): void;
}

/**
 * The guides as a list: each marked range with its start and end (editable, in seconds), the source
 * it is assigned to (a menu of the source names) and a Remove button; each example clip with its
 * source; and "Separate with guides". Focusing a row selects its range on the mixture, where
 * Delete removes it.
 */
export class GuidePanel {
  readonly element: HTMLElement;
  readonly markButton: HTMLButtonElement;
  private readonly list: HTMLUListElement;
  private readonly runButton: HTMLButtonElement;
  private readonly hint: HTMLElement;
  private names: readonly string[] = [];
  private running = false;
  private readonly rangeRows = new Map<number, RangeRow>();
  private readonly cleanup: () => void;

  constructor(
    private readonly guides: GuideSet,
    handlers: GuidePanelHandlers,
  ) {
    this.markButton = element('button', {
      className: 'toggle',
      text: 'Mark solo range',
      attrs: {
        type: 'button',
        'aria-pressed': 'false',
        'data-testid': 'mark-range',
        title: 'Drag on the mixture to mark a span where one source plays alone (Shift+drag works any time), then assign it to that source',
      },
    });
    this.markButton.addEventListener('click', () => {
      const on = this.markButton.getAttribute('aria-pressed') !== 'true';
      this.markButton.setAttribute('aria-pressed', String(on));
      handlers.onMarkingChange(on);
    });
    this.list = element('ul', { className: 'guide-list', attrs: { 'data-testid': 'guide-list', 'aria-label': 'Guides' } });
    this.runButton = element('button', {
      className: 'primary',
      text: 'Separate with guides',
      attrs: { type: 'button', 'data-testid': 'run-guided', title: 'Separate again with the run panel’s parameters, learning each guided source from its ranges and clips' },
    });
    this.runButton.addEventListener('click', () => handlers.onRun());
    this.hint = element('p', { className: 'hint', attrs: { 'data-testid': 'guide-hint' } });
    this.element = element('section', { className: 'guides', attrs: { 'aria-labelledby': 'guides-title', 'data-testid': 'guides' } }, [
      element('h3', { text: 'Guides', attrs: { id: 'guides-title' } }),
      this.hint,
      this.list,
      element('div', { className: 'actions' }, [this.runButton]),
    ]);
    this.cleanup = guides.onChange(() => this.render());
    this.render();
  }

  setSourceNames(names: readonly string[]): void {
    this.names = names;
    this.render();
  }

  setRunning(running: boolean): void {
    this.running = running;
    this.render();
  }

  dispose(): void {
    this.cleanup();
  }

  /**
   * Updates the list in place: a row per range is made once and then only its values change, so
   * a field being typed in, or focused, is never replaced under the user.
   */
  private render(): void {
    const ranges = this.guides.ranges;
    for (const [id, row] of this.rangeRows) {
      if (!ranges.some((r) => r.id === id)) {
        row.element.remove();
        this.rangeRows.delete(id);
      }
    }
    const rows: HTMLElement[] = [];
    for (const range of ranges) {
      let row = this.rangeRows.get(range.id);
      if (!row) this.rangeRows.set(range.id, (row = this.rangeRow(range)));
      row.update(range, this.names, range.id === this.guides.selected);
      rows.push(row.element);
    }
    for (const clip of this.guides.clips) {
      const remove = element('button', { text: 'Remove', attrs: { type: 'button', 'aria-label': `Remove clip ${clip.name}`, 'data-testid': 'remove-clip' } });
      remove.addEventListener('click', () => this.guides.removeClip(clip.id));
      rows.push(
        element('li', { className: 'guide-row', attrs: { 'data-testid': 'guide-clip' } }, [
          element('span', { className: 'guide-kind', text: 'Clip' }),
          element('span', { text: `${clip.name} → ${this.names[clip.source] ?? `source ${clip.source + 1}`}` }),
          remove,
        ]),
      );
    }
    // Re-attach only what changed (moving a focused row would blur it).
    const current = [...this.list.children];
    if (current.length !== rows.length || current.some((node, i) => node !== rows[i])) this.list.replaceChildren(...rows);
    const hostGuides = this.guides.toHostGuides();
    this.runButton.disabled = this.running || hostGuides.length === 0 || this.names.length === 0;
    this.hint.textContent =
      ranges.length + this.guides.clips.length === 0
        ? 'Shift+drag on the mixture (or turn on Mark solo range) where one source plays alone, then assign the range to it; or drop an example WAV of a source on its lane.'
        : `Guided by ${this.guides.describe()}.${ranges.some((r) => r.source === null) ? ' Assign each range to a source; unassigned ranges are not used.' : ''}`;
  }

  private rangeRow(range: GuideRange): RangeRow {
    const label = `Range ${range.id}`;
    const bound = (which: 'start' | 'end'): HTMLInputElement => {
      const input = element('input', {
        className: 'range-time',
        attrs: { type: 'number', min: '0', step: '0.01', 'aria-label': `${label} ${which} (seconds)`, 'data-testid': `range-${which}` },
      });
      input.addEventListener('change', () => {
        const next = Number(input.value);
        if (input.value.trim() !== '') {
          if (which === 'start') this.guides.setBounds(range.id, next, range.end);
          else this.guides.setBounds(range.id, range.start, next);
        }
        // The committed value (clamped to the recording), or the old one when refused (reversed,
        // too short or empty).
        input.value = (which === 'start' ? range.start : range.end).toFixed(2);
      });
      return input;
    };
    const start = bound('start');
    const end = bound('end');
    const assign = element('select', { attrs: { 'aria-label': `${label}: the source that plays alone there`, 'data-testid': 'range-source', title: 'The source that plays alone in this range' } });
    assign.addEventListener('change', () => this.guides.assign(range.id, assign.value === '' ? null : Number(assign.value)));
    const remove = element('button', { text: 'Remove', attrs: { type: 'button', 'aria-label': `Remove ${label.toLowerCase()}`, 'data-testid': 'remove-range' } });
    remove.addEventListener('click', () => this.guides.removeRange(range.id));
    const row = element('li', { className: 'guide-row', attrs: { 'data-testid': 'guide-range', 'data-range': String(range.id) } }, [
      element('span', { className: 'guide-kind', text: label }),
      start,
      ' – ',
      end,
      ' s ',
      assign,
      remove,
    ]);
    row.addEventListener('focusin', () => this.guides.select(range.id));
    let shownNames: readonly string[] | null = null;
    return {
      element: row,
      update: (r, names, selected) => {
        // A field being typed in keeps what is typed; its change handler shows the committed value.
        if (document.activeElement !== start) start.value = r.start.toFixed(2);
        if (document.activeElement !== end) end.value = r.end.toFixed(2);
        if (shownNames !== names) {
          shownNames = names;
          assign.replaceChildren(
            element('option', { text: names.length > 0 ? 'Assign to…' : 'Separate first, then assign', attrs: { value: '' } }),
            ...names.map((name, s) => element('option', { text: name, attrs: { value: String(s) } })),
          );
        }
        assign.value = r.source !== null && r.source < names.length ? String(r.source) : '';
        row.setAttribute('aria-current', String(selected));
      },
    };
  }
}

interface RangeRow {
  readonly element: HTMLLIElement;
  update(range: GuideRange, names: readonly string[], selected: boolean): void;
}
