import { element } from '../dom.js';
import { formatClock } from '../format.js';
import { seriesColor } from '../series-colors.js';
import type { GuideSet } from './guide-set.js';
import type { Timeline, TimeWindow } from './timeline.js';

/**
 * Marking solo ranges on the mixture, as audio editors select time (Audacity, RX): Shift+drag, or
 * a plain drag while "Mark solo range" is on, selects a span instead of panning; the spans are
 * drawn over the mixture with their times and the source they are assigned to. A click inside a
 * span selects it (and still seeks); Delete or Backspace removes the selected span.
 *
 * The listeners run in the capture phase on the lane, ahead of the timeline's own pan/seek
 * handlers on the same element, and stop the event only when they take the drag.
 */
export class RangeSelector {
  readonly overlay: HTMLElement;
  private marking = false;
  private drag: { id: number; anchor: number; current: number } | null = null;
  private readonly draft: HTMLElement;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly body: HTMLElement,
    private readonly timeline: Timeline,
    private readonly guides: GuideSet,
    private sourceNames: () => readonly string[],
  ) {
    this.draft = element('div', { className: 'range draft', attrs: { 'aria-hidden': 'true' } });
    this.draft.hidden = true;
    this.overlay = element('div', { className: 'range-overlay', attrs: { 'data-testid': 'range-overlay', 'aria-hidden': 'true' } }, [this.draft]);
    body.append(this.overlay);

    const down = (event: PointerEvent): void => {
      if (event.button !== 0) return;
      const t = this.timeline.timeAt(body, event.clientX);
      if (!(this.marking || event.shiftKey)) {
        // Not marking: a press inside a span selects it; the timeline still pans or seeks.
        this.guides.select(this.guides.rangeAt(t)?.id ?? null);
        return;
      }
      event.stopImmediatePropagation();
      event.preventDefault();
      body.setPointerCapture(event.pointerId);
      body.focus();
      this.drag = { id: event.pointerId, anchor: t, current: t };
      this.drawDraft();
    };
    const move = (event: PointerEvent): void => {
      if (!this.drag || event.pointerId !== this.drag.id) return;
      event.stopImmediatePropagation();
      this.drag.current = this.timeline.timeAt(body, event.clientX);
      this.drawDraft();
    };
    const up = (event: PointerEvent): void => {
      if (!this.drag || event.pointerId !== this.drag.id) return;
      event.stopImmediatePropagation();
      const { anchor, current } = this.drag;
      this.drag = null;
      this.draft.hidden = true;
      this.guides.addRange(anchor, current);
    };
    const cancel = (): void => {
      this.drag = null;
      this.draft.hidden = true;
    };
    body.addEventListener('pointerdown', down, { capture: true });
    body.addEventListener('pointermove', move, { capture: true });
    body.addEventListener('pointerup', up, { capture: true });
    body.addEventListener('pointercancel', cancel, { capture: true });
    this.cleanups.push(
      () => {
        body.removeEventListener('pointerdown', down, { capture: true });
        body.removeEventListener('pointermove', move, { capture: true });
        body.removeEventListener('pointerup', up, { capture: true });
        body.removeEventListener('pointercancel', cancel, { capture: true });
      },
      guides.onChange(() => this.render()),
      timeline.onChange(() => this.render()),
    );
    this.render();
  }

  get isMarking(): boolean {
    return this.marking;
  }

  setMarking(on: boolean): void {
    this.marking = on;
    this.body.classList.toggle('marking', on);
  }

  /** Repaints the spans (after a zoom, a pan, or a change to the guides or the source names). */
  render(): void {
    const view = this.timeline.view;
    const names = this.sourceNames();
    const spans = this.guides.ranges.map((range) => {
      const assigned = range.source !== null ? (names[range.source] ?? `source ${range.source + 1}`) : 'unassigned';
      const label = `${formatClock(range.start)}–${formatClock(range.end)} → ${assigned}`;
      const span = element('div', { className: 'range', attrs: { 'data-testid': 'range', 'data-range': String(range.id), title: label } }, [
        element('span', { className: 'range-label', text: label }),
      ]);
      place(span, range.start, range.end, view);
      span.classList.toggle('selected', range.id === this.guides.selected);
      if (range.source !== null) span.style.setProperty('--range-colour', seriesColor(range.source));
      return span;
    });
    this.overlay.replaceChildren(this.draft, ...spans);
  }

  dispose(): void {
    for (const cleanup of this.cleanups) cleanup();
    this.overlay.remove();
  }

  private drawDraft(): void {
    if (!this.drag) return;
    place(this.draft, Math.min(this.drag.anchor, this.drag.current), Math.max(this.drag.anchor, this.drag.current), this.timeline.view);
    this.draft.hidden = false;
  }
}

/** Positions a span over [start, end] seconds within the shown window (as a share of the lane). */
function place(span: HTMLElement, start: number, end: number, view: TimeWindow): void {
  const width = view.end - view.start;
  const left = ((start - view.start) / width) * 100;
  const right = ((end - view.start) / width) * 100;
  span.style.left = `${Math.max(-1, left)}%`;
  span.style.width = `${Math.max(0, Math.min(101, right) - Math.max(-1, left))}%`;
  span.hidden = right < 0 || left > 100;
}
