import type { SeparationGuide } from '../../app/host-api.js';
import { plural } from '../format.js';

/**
 * Guided mode's state (semi-supervised NMF, app/audio/guided-separation.ts): spans of the mixture
 * where one source plays alone, and example clips of a source, each meant for a source lane. It
 * outlives the separation it was drawn on, so a user can refine the guides and separate again.
 */

/** A marked span of the mixture; `source` is the lane it is assigned to, or null while unassigned. */
export interface GuideRange {
  readonly id: number;
  start: number;
  end: number;
  source: number | null;
}

/** An example clip opened through the host (host.openFile) and dropped on a source lane. */
export interface GuideClip {
  readonly id: number;
  readonly fileId: string;
  readonly name: string;
  readonly source: number;
}

/** Shortest range kept (a click without a drag marks nothing): two STFT hops at 16 kHz. */
export const MIN_RANGE_SECONDS = 0.05;

/**
 * The host's source name for lane `index`: `source-<i>` pins a guide to position i
 * (guided-separation.ts sourceNames), so lane i's guides shape lane i, whatever it is called.
 */
function guideSourceName(index: number): string {
  return `source-${index + 1}`;
}

export class GuideSet {
  private rangeList: GuideRange[] = [];
  private clipList: GuideClip[] = [];
  private nextId = 1;
  private selectedId: number | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly duration: number) {}

  get ranges(): readonly GuideRange[] {
    return this.rangeList;
  }

  get clips(): readonly GuideClip[] {
    return this.clipList;
  }

  get selected(): number | null {
    return this.selectedId;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Adds a range (ends in any order, clamped to the recording); null when it is too short. */
  addRange(a: number, b: number): GuideRange | null {
    const start = clamp(Math.min(a, b), 0, this.duration);
    const end = clamp(Math.max(a, b), 0, this.duration);
    if (end - start < MIN_RANGE_SECONDS) return null;
    const range: GuideRange = { id: this.nextId++, start, end, source: null };
    this.rangeList.push(range);
    this.selectedId = range.id;
    this.changed();
    return range;
  }

  /** Moves one end of a range; a value that would leave it too short or reversed is refused. */
  setBounds(id: number, start: number, end: number): boolean {
    const range = this.rangeList.find((r) => r.id === id);
    if (!range || !Number.isFinite(start) || !Number.isFinite(end)) return false;
    const s = clamp(start, 0, this.duration);
    const e = clamp(end, 0, this.duration);
    if (e - s < MIN_RANGE_SECONDS) return false;
    range.start = s;
    range.end = e;
    this.changed();
    return true;
  }

  assign(id: number, source: number | null): void {
    const range = this.rangeList.find((r) => r.id === id);
    if (!range) return;
    range.source = source;
    this.changed();
  }

  select(id: number | null): void {
    if (this.selectedId === id) return;
    this.selectedId = id;
    this.changed();
  }

  /** The range at a time (the last marked wins where they overlap). */
  rangeAt(seconds: number): GuideRange | null {
    for (let i = this.rangeList.length - 1; i >= 0; i--) {
      const range = this.rangeList[i]!;
      if (seconds >= range.start && seconds <= range.end) return range;
    }
    return null;
  }

  removeRange(id: number): void {
    this.rangeList = this.rangeList.filter((r) => r.id !== id);
    if (this.selectedId === id) this.selectedId = null;
    this.changed();
  }

  addClip(fileId: string, name: string, source: number): void {
    this.clipList.push({ id: this.nextId++, fileId, name, source });
    this.changed();
  }

  removeClip(id: number): void {
    this.clipList = this.clipList.filter((c) => c.id !== id);
    this.changed();
  }

  /** Guides referring to lanes that no longer exist (fewer sources now) are dropped. */
  keepSources(count: number): void {
    for (const range of this.rangeList) if (range.source !== null && range.source >= count) range.source = null;
    this.clipList = this.clipList.filter((c) => c.source < count);
    this.changed();
  }

  /** The host's guides: one per guided lane, its assigned ranges and clips merged. */
  toHostGuides(): SeparationGuide[] {
    const bySource = new Map<number, { ranges: { start: number; end: number }[]; clipFileIds: string[] }>();
    const entry = (source: number): { ranges: { start: number; end: number }[]; clipFileIds: string[] } => {
      let found = bySource.get(source);
      if (!found) bySource.set(source, (found = { ranges: [], clipFileIds: [] }));
      return found;
    };
    for (const range of this.rangeList) if (range.source !== null) entry(range.source).ranges.push({ start: range.start, end: range.end });
    for (const clip of this.clipList) entry(clip.source).clipFileIds.push(clip.fileId);
    return [...bySource.entries()]
      .sort(([a], [b]) => a - b)
      .map(([source, g]) => ({
        source: guideSourceName(source),
        ...(g.ranges.length > 0 ? { ranges: g.ranges } : {}),
        ...(g.clipFileIds.length > 0 ? { clipFileIds: g.clipFileIds } : {}),
      }));
  }

  /** "1 range and 1 clip", for status lines. */
  describe(): string {
    const ranges = this.rangeList.filter((r) => r.source !== null).length;
    const clips = this.clipList.length;
    return [ranges > 0 ? plural(ranges, 'range') : null, clips > 0 ? plural(clips, 'clip') : null].filter((p) => p !== null).join(' and ') || 'no guides';
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
