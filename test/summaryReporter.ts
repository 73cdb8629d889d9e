import type { Reporter } from 'vitest/reporters';
import type { RunnerTestFile, RunnerTask } from 'vitest';

/**
 * Ends the run with one plain line, `tests: N passed, N failed, N skipped`, which CI reads
 * whatever runner it knows.
 */
export default class SummaryLineReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = []): void {
    const count = { passed: 0, failed: 0, skipped: 0 };
    const visit = (t: RunnerTask) => {
      if (t.type === 'suite' || t.type === undefined) {
        // A file or suite that failed before its tests ran counts as a failure, and so does one
        // whose own hook failed after them (test/setup/checkMatchesCompile.ts compares there).
        if ('tasks' in t && t.result?.state === 'fail' && (t.tasks.length === 0 || (t.result.errors?.length ?? 0) > 0)) count.failed++;
        if ('tasks' in t) t.tasks.forEach(visit);
        return;
      }
      const state = t.result?.state;
      if (state === 'pass') count.passed++;
      else if (state === 'fail') count.failed++;
      else count.skipped++;
    };
    files.forEach(visit);
    process.stdout.write(`\ntests: ${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped\n`);
  }
}
