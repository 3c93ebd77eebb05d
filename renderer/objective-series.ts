/**
 * The points of the live objective plot. With restarts, the host reports run i's iteration t as
 * i·maxIter + t (app/nmf/restarts.ts), so one series holds every run; each run starts again from a
 * random start, high above where the last one ended, and joining the two would draw a cliff that
 * is not there. A gap (a null point between the runs) keeps them apart.
 */
export class ObjectiveSeries {
  readonly iterations: number[] = [];
  readonly objectives: (number | null)[] = [];
  private lastRun = 0;
  private gaps = 0;

  /** `runLength`: the iterations of one run (maxIter) when the job restarts, else Infinity. */
  constructor(private readonly runLength = Infinity) {}

  /** Adds one report; false if it repeats or goes back on an iteration already shown. */
  add(iteration: number, objective: number): boolean {
    const last = this.iterations[this.iterations.length - 1];
    if (last !== undefined && iteration <= last) return false;
    // Run i reports iterations i·L + 1 … i·L + L (fewer when it converges early).
    const run = Number.isFinite(this.runLength) ? Math.floor((iteration - 1) / this.runLength) : 0;
    if (last !== undefined && run !== this.lastRun) {
      this.iterations.push((last + iteration) / 2);
      this.objectives.push(null);
      this.gaps++;
    }
    this.lastRun = run;
    this.iterations.push(iteration);
    // A log axis cannot show 0 or less (an exact fit); such points are left as gaps.
    this.objectives.push(objective > 0 ? objective : null);
    return true;
  }

  /** Real points (gaps between runs not counted). */
  get points(): number {
    return this.iterations.length - this.gaps;
  }
}
