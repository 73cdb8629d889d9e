import type { IntervalList, Work } from './work.js';

/** A hash of a list's content, worked out once per list and computation (lists are never changed). */
function hashOf(list: IntervalList, work: Work): number {
  let h = work.memo.hashes.get(list);
  if (h === undefined) {
    h = list.length;
    for (const i of list) h = Math.imul(h ^ Number(BigInt.asUintN(32, i.first)), 0x9e3779b1) ^ Number(BigInt.asUintN(32, i.last));
    work.memo.hashes.set(list, h);
    work.spend(list.length);
  }
  return h;
}

/**
 * Numbers for lists by content: equal lists get the same number. Lists are hashed and compared
 * interval by interval (a list of ten thousand networks is never turned into text); the same
 * list object is looked up at once.
 */
export class ListIds {
  private readonly known = new Map<IntervalList, number>();
  private readonly byHash = new Map<number, { list: IntervalList; id: number }[]>();
  private count = 0;

  constructor(private readonly work: Work) {}

  id(list: IntervalList): number {
    const seen = this.known.get(list);
    if (seen !== undefined) return seen;
    const h = hashOf(list, this.work);
    const alike = this.byHash.get(h) ?? [];
    this.byHash.set(h, alike);
    let id = alike.find((e) => this.same(e.list, list))?.id;
    if (id === undefined) alike.push({ list, id: (id = this.count++) });
    this.known.set(list, id);
    return id;
  }

  /** Whether two lists are equal, each interval compared a step. */
  private same(x: IntervalList, y: IntervalList): boolean {
    if (x.length !== y.length) return false;
    for (let k = 0; k < x.length; k++) {
      const v = x[k]!;
      const w = y[k]!;
      if (v !== w && (v.first !== w.first || v.last !== w.last)) {
        this.work.spend(k + 1);
        return false;
      }
    }
    this.work.spend(1 + x.length);
    return true;
  }
}

