/**
 * Splits weighted jobs into at most `count` batches of about equal weight, deterministically:
 * the heaviest job first, each into the lightest batch so far (the earlier batch on a tie, the
 * earlier job on equal weights). Each batch lists its jobs' indices in ascending order, so the
 * results can be put back in the jobs' order; no batch is empty.
 */
export function splitIntoBatches(weights: readonly number[], count: number): number[][] {
  const n = Math.max(1, Math.min(count, weights.length));
  const batches: number[][] = Array.from({ length: n }, () => []);
  const loads = new Array<number>(n).fill(0);
  const order = weights.map((_, i) => i).sort((a, b) => weights[b]! - weights[a]! || a - b);
  for (const i of order) {
    let lightest = 0;
    for (let b = 1; b < n; b++) if (loads[b]! < loads[lightest]!) lightest = b;
    batches[lightest]!.push(i);
    loads[lightest]! += weights[i]!;
  }
  return batches.filter((b) => b.length).map((b) => b.sort((x, y) => x - y));
}
