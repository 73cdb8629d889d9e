// The benchmark's threads part (bench/threads.mjs): its report and its check read as the README says.
import { describe, expect, it } from 'vitest';
import { DEFAULT_THREADS_FROM_CORES as SRC_DEFAULT } from '../../src/cli/threads/limits.js';
// @ts-ignore -- the benchmark is plain JavaScript
import { DEFAULT_THREADS_FROM_CORES, expectedScaling, threadsChecks, threadsMarkdown } from '../../bench/threads.mjs';

const run = (cores: number, walls: number[]) => ({
  networks: 10000,
  firewalls: 100,
  runs: 3,
  cores,
  defaultThreads: cores >= DEFAULT_THREADS_FROM_CORES ? cores : 1,
  byCount: walls.map((wallMs, i) => ({ threads: i + 1, wallMs, cpuS: 4, peakMb: 330 })),
  check: { wallMs: 2000, cpuS: 2.5, peakMb: 160 },
  expected: [{ threads: 4, upper: 1.5, withCost: 1.2 }],
});

describe('the threads part of the benchmark', () => {
  it('knows the default the command line uses', () => {
    expect(DEFAULT_THREADS_FROM_CORES).toBe(SRC_DEFAULT);
  });

  it('checks that the default thread count is (within 5%) the fastest measured', () => {
    expect(threadsChecks(run(2, [3600, 3900]))[0]).toMatchObject({ ok: true, what: expect.stringContaining('(1 here)') });
    expect(threadsChecks(run(2, [3600, 3000]))[0].ok).toBe(false);
    expect(threadsChecks(run(4, [3600, 3000, 2700, 2600]))[0]).toMatchObject({ ok: true, what: expect.stringContaining('(4 here)') });
    expect(threadsChecks(run(4, [2000, 3000, 2700, 2600]))[0].ok).toBe(false);
  });

  it('reports each thread count with its speed-up over one', () => {
    const md = threadsMarkdown(run(2, [3600, 3000])).join('\n');
    expect(md).toContain('| `compile --jobs 2` | 3,000 |');
    expect(md).toContain('1.20×');
    expect(md).toContain('renders on one thread');
  });

  it('expects Amdahl\'s speed-up at most, and less by what threads cost here', () => {
    // 3 s on one thread, 1 s of it serial; 2 threads took 2.5 s where Amdahl says 2 s: 0.5 s of cost.
    const [two, four] = expectedScaling([{ threads: 1, wallMs: 3000 }, { threads: 2, wallMs: 2500 }], 1000);
    expect(two).toMatchObject({ threads: 2, upper: 1.5, withCost: 1.2 });
    expect(four!.upper).toBeCloseTo(2, 6);
    expect(four!.withCost).toBeCloseTo(3000 / 2000, 6);
  });
});
