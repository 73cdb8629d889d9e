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
  it('was built with its bundle, cached script, validator and templates (npm test builds first)', async () => {
    for (const f of ['dist/msgrfw.mjs', 'dist/cli.mjs', 'dist/cli.script.js', 'dist/cli.script.cache']) {
      expect(existsSync(join(ROOT, f)), `${f} missing: run npm run build`).toBe(true);
    }
    // The build writes these over tsc's output of their sources, which say "none".
    const { precompiledValidator } = await import(pathToFileURL(join(ROOT, 'dist', 'src', 'ir', 'precompiledValidator.js')).href);
    expect(precompiledValidator?.schemaSource).toBe(readFileSync(join(ROOT, 'src', 'ir', 'schema.json'), 'utf8'));
    const { precompiledTemplates } = await import(pathToFileURL(join(ROOT, 'dist', 'targets', 'precompiled.js')).href);
    expect(Object.keys(precompiledTemplates ?? {})).toContain('nftables/nftables.hbs');
  });

  // The cached script bin/msgrfw.js starts, the bundle it falls back to without a usable code
  // cache (test/cli/cachedScript.test.ts), and the compiled modules it falls back to after a bare `tsc`.
  const started = (entry: string[]) => ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(pathToFileURL(join(ROOT, ...entry)).href)}); process.exitCode = await main(['node', 'msgrfw', ...process.argv.slice(1)]);`];
  const entries = {
    'cached script': [join(ROOT, 'bin', 'msgrfw.js')],
    bundle: started(['dist', 'cli.mjs']),
    modules: started(['dist', 'src', 'cli', 'main.js']),
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
