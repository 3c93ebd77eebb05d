import type { JobProgressEvent } from '../app/host-api.js';
import { LinePlot } from './plots/line-plot.js';
import { themeColors } from './theme.js';

/**
 * The live objective-vs-iteration plot of the running job. Progress events arrive at up to ten a
 * second (app/nmf/factorize.ts reports every 100 ms); points are collected as they come and the
 * plot is redrawn at most once per animation frame, so a fast job cannot flood the page.
 */
export class ObjectivePlot {
  private readonly plot: LinePlot;
  private iterations: number[] = [];
  private objectives: (number | null)[] = [];
  private frame = 0;

  constructor(private readonly container: HTMLElement) {
    this.plot = new LinePlot(
      container,
      { description: 'Objective by iteration: no job has run yet', xLabel: 'Iteration', yLabel: 'Objective', height: 170, logY: true },
      [{ label: 'Objective', color: themeColors().accent, points: true }],
    );
    this.plot.setData([], [[]]);
  }

  reset(): void {
    this.iterations = [];
    this.objectives = [];
    this.schedule();
  }

  add(event: JobProgressEvent): void {
    if (event.iteration === null || event.objective === null || event.stage !== 'factorizing') return;
    const last = this.iterations[this.iterations.length - 1];
    if (last !== undefined && event.iteration <= last) return;
    this.iterations.push(event.iteration);
    // A log axis cannot show 0 or less (an exact fit); such points are left as gaps.
    this.objectives.push(event.objective > 0 ? event.objective : null);
    this.schedule();
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.plot.setData(this.iterations, [this.objectives]);
      const n = this.iterations.length;
      const latest = this.objectives[n - 1];
      this.plot.setDescription(
        n === 0 ? 'Objective by iteration: no points yet' : `Objective by iteration: ${n} points, latest ${latest ?? 'n/a'} at iteration ${this.iterations[n - 1]}`,
      );
    });
  }
}
