import type { JobProgressEvent } from '../app/host-api.js';
import { ObjectiveSeries } from './objective-series.js';
import { LinePlot } from './plots/line-plot.js';
import { themeColors } from './theme.js';

/**
 * The live objective-vs-iteration plot of the running job. Progress events arrive at up to ten a
 * second (app/nmf/factorize.ts reports every 100 ms); points are collected as they come and the
 * plot is redrawn at most once per animation frame, so a fast job cannot flood the page.
 */
export class ObjectivePlot {
  private readonly plot: LinePlot;
  private series = new ObjectiveSeries();
  private frame = 0;

  constructor(private readonly container: HTMLElement) {
    this.plot = new LinePlot(
      container,
      { description: 'Objective by iteration: no job has run yet', xLabel: 'Iteration', yLabel: 'Objective', height: 170, logY: true },
      [{ label: 'Objective', color: themeColors().accent, points: true }],
    );
    this.plot.setData([], [[]]);
  }

  /** `runLength`: a run's maxIter when the job restarts (each run drawn apart), else omitted. */
  reset(runLength = Infinity): void {
    this.series = new ObjectiveSeries(runLength);
    this.schedule();
  }

  add(event: JobProgressEvent): void {
    if (event.iteration === null || event.objective === null || event.stage !== 'factorizing') return;
    if (this.series.add(event.iteration, event.objective)) this.schedule();
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const { iterations, objectives, points } = this.series;
      this.plot.setData(iterations, [objectives]);
      const n = iterations.length;
      const latest = objectives[n - 1];
      this.plot.setDescription(
        n === 0 ? 'Objective by iteration: no points yet' : `Objective by iteration: ${points} points, latest ${latest ?? 'n/a'} at iteration ${iterations[n - 1]}`,
      );
    });
  }
}
