import type { Interval } from './set.js';

/** A sorted list of disjoint, non-adjacent intervals: one dimension of a box. */
export type IntervalList = readonly Interval[];

/** The work a computation may do is counted in steps; past its limit it stops with this. */
export class WorkLimitExceeded extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} steps of box arithmetic`);
  }
}

export type Memo = WeakMap<IntervalList, WeakMap<IntervalList, IntervalList>>;

/**
 * What a computation remembers. Results of operations on long lists, by the lists themselves:
 * the same networks meet the same networks again in every direction, family and protocol, and a
 * result, being the same list object again, keeps later operations on it cheap. Lists are never
 * changed, so a remembered result stays right. And the content hashes of lists (see ListIds).
 */
interface Memos {
  intersections: Memo;
  differences: Memo;
  hashes: WeakMap<IntervalList, number>;
}

/**
 * One computation's step counter, with its limit, and what it remembers. A step is one box
 * compared or produced, or one interval read or written by an operation on a dimension's list:
 * roughly proportional to time, and the same on every machine and every run, so whether a
 * computation fits its limit does not depend on the machine's load.
 */
export class Work {
  used = 0;
  /** Made when first needed: a quick question (do two boxes meet?) needs none of it. */
  private memos?: Memos;

  constructor(readonly limit = Number.POSITIVE_INFINITY) {}

  get memo(): Memos {
    return (this.memos ??= { intersections: new WeakMap(), differences: new WeakMap(), hashes: new WeakMap() });
  }

  spend(steps: number): void {
    this.used += steps;
    if (this.used > this.limit) throw new WorkLimitExceeded(this.limit);
  }
}

