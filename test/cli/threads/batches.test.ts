import { describe, expect, it } from 'vitest';
import { splitIntoBatches } from '../../../src/cli/threads/batches.js';

describe('splitIntoBatches', () => {
  it('puts the heaviest job first into the lightest batch, and lists each batch in job order', () => {
    expect(splitIntoBatches([5, 1, 4, 2, 3], 2)).toEqual([[0, 1, 3], [2, 4]]);
  });
  it('never makes more batches than jobs, nor an empty one', () => {
    expect(splitIntoBatches([1, 1], 8)).toEqual([[0], [1]]);
    expect(splitIntoBatches([], 4)).toEqual([]);
  });
  it('is the same split every time for the same weights (ties go to the earlier job and batch)', () => {
    expect(splitIntoBatches([2, 2, 2, 2], 2)).toEqual([[0, 2], [1, 3]]);
  });
});
