import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/compile.js';
import { emitTargets } from '../../targets/emit.js';
import { EXAMPLES, ROOT } from '../helpers.js';

// The built command runs a bundle with a precompiled schema validator and precompiled templates
// (scripts/); the tests import the sources, which compile both at run time. The two must write
// the same bytes.
describe('the built command', () => {
  it('was built with its bundle, validator and templates (npm test builds first)', () => {
    for (const f of ['dist/msgrfw.mjs', 'dist/msgrfw-lsp.mjs', 'dist/src/ir/irValidator.generated.js', 'dist/targets/templates.generated.js']) {
      expect(existsSync(join(ROOT, f)), `${f} missing: run npm run build`).toBe(true);
    }
  });

  // The bundle, and the compiled modules bin/msgrfw.js falls back to after a bare `tsc`.
  const entries = {
    bundle: [join(ROOT, 'bin', 'msgrfw.js')],
    modules: ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'src', 'cli', 'main.js')).href)}); process.exitCode = await main(['node', 'msgrfw', ...process.argv.slice(1)]);`],
  };
  it.each(EXAMPLES.flatMap((e) => Object.keys(entries).map((how) => [e.name, how, e.path])))('writes for %s from the %s exactly what the sources write', (_name, how, file) => {
    const dir = mkdtempSync(join(tmpdir(), 'msgrfw-build-'));
    const r = spawnSync(process.execPath, [...entries[how as keyof typeof entries], 'compile', file!, '--out-dir', dir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { ir } = compilePolicy(readFileSync(file!, 'utf8'), file!);
    const emitted = emitTargets(ir!, {});
    const expected = [...emitted.files.map((f) => f.artefact), ...emitted.groupPolicy].map((a) => [a.name, a.content]);
    // Every artefact, beside the directory's manifest (test/cli/output/manifest.test.ts).
    const written = readdirSync(dir).filter((name) => name !== '.msgrfw-manifest.json').sort().map((name) => [name, readFileSync(join(dir, name), 'utf8')]);
    expect(written).toEqual(expected.sort((a, b) => a[0]!.localeCompare(b[0]!)));
  });
});
