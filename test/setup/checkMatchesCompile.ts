// Every policy text any test compiles in-process is also run through the command line's
// `check` and `compile` (in-process, --format json), and the two must report the same codes:
// a CI gate built on `check` lets through exactly what `compile` lets through. Registered for
// every test file in vitest.config.ts; the comparison runs after the file's own tests, so it
// never skews what they time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, vi } from 'vitest';

const recorder = vi.hoisted(() => ({ texts: new Set<string>(), paused: false }));
(globalThis as { msgrfwPolicyRecorder?: typeof recorder }).msgrfwPolicyRecorder = recorder;

vi.mock('../../src/compile.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/compile.js')>();
  return {
    ...original,
    compilePolicy(text: string, file: string) {
      if (!recorder.paused) recorder.texts.add(text);
      return original.compilePolicy(text, file);
    },
  };
});

/** The codes of a command's JSON diagnostics, sorted: a multiset to compare. */
function codes(json: string): string[] {
  const doc = JSON.parse(json) as { diagnostics: { code: string }[] };
  return doc.diagnostics.map((d) => d.code).sort();
}

afterAll(async () => {
  if (recorder.texts.size === 0) return;
  recorder.paused = true;
  const { main } = await import('../../src/cli/main.js');
  const run = async (args: string[]) => {
    const out = { stdout: '', stderr: '' };
    const status = await main(['node', 'msgrfw', ...args], { stdout: (s) => void (out.stdout += s), stderr: (s) => void (out.stderr += s), color: false });
    return { status, ...out };
  };
  const dir = mkdtempSync(join(tmpdir(), 'msgrfw-agreement-'));
  try {
    let n = 0;
    for (const text of recorder.texts) {
      const file = join(dir, `policy-${n++}.msgr`);
      writeFileSync(file, text);
      const check = await run(['check', file, '--format', 'json']);
      const out = join(dir, `out-${n}`);
      const compile = await run(['compile', file, '--out-dir', out, '--format', 'json']);
      rmSync(out, { recursive: true, force: true });
      // A file that cannot be read as a policy at all is reported alike by both, on stdout.
      const checked = { codes: codes(check.stdout), status: check.status };
      const compiled = { codes: codes(compile.stderr || compile.stdout), status: compile.status };
      expect(compiled, `check and compile disagree on this policy:\n${text.slice(0, 2000)}`).toEqual(checked);
      rmSync(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    recorder.paused = false;
  }
});
