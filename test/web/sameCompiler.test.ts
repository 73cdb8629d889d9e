// The playground runs the same compiler as the command line: every example compiled in
// Chromium, by the page's own worker (the bundle built from src/ and targets/), gives the very
// bytes the command line writes and prints: every file of `compile` (each target, and the Group
// Policy files), `ir`, `check`, `graph` (Mermaid and DOT), `explain` and `diff`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IR_TARGETS } from '../../src/ir/targets.js';
import type { IrTarget } from '../../src/ir/types.js';
import type { FileText, Request, RunRequest, RunResult } from '../../web/src/protocol.js';
import { BIN } from '../cli/run.js';
import { EXAMPLES, ROOT } from '../helpers.js';
import { chromiumProblem, startBrowser, type Browser } from './chromium.js';

const skip = chromiumProblem() !== undefined;

function cli(args: string[]): { code: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout };
}

/**
 * The files `msgrfw compile … --out-dir` writes, by name (its manifest aside); none when a
 * target refuses a firewall of the selection (MSGR060, exit 1: compile then writes nothing).
 */
function compiled(args: string[]): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'msgrfw-same-'));
  try {
    const code = cli(['compile', ...args, '--out-dir', dir]).code;
    expect([0, 1]).toContain(code);
    return Object.fromEntries(readdirSync(dir).filter((f) => !f.startsWith('.msgrfw')).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const byName = (files: FileText[]) => Object.fromEntries(files.map((f) => [f.name, f.content]).sort(([a], [b]) => a!.localeCompare(b!)));

describe.skipIf(skip)('the same compiler in the browser and on the command line', () => {
  let browser: Browser;
  let page: Page;
  const call = <T>(request: Request) => page.evaluate((r) => window.msgrfwPlayground.call(r), request) as Promise<T>;
  const run = (request: RunRequest) => call<RunResult>({ kind: 'run', ...request });

  beforeAll(async () => {
    browser = await startBrowser();
    page = await browser.playground();
  });
  afterAll(async () => browser?.close());

  describe.each(EXAMPLES.map((e) => [e.name, e]))('%s', (_name, example) => {
    const file = relative(ROOT, example.path);

    it('compile: every file, byte for byte, with and without -t', async () => {
      expect(byName(await call<FileText[]>({ kind: 'artefacts', text: example.text, file }))).toEqual(compiled([file]));
      const firewalls = (await run({ text: example.text, file })).firewalls.map((f) => f.name);
      for (const target of IR_TARGETS as IrTarget[]) {
        // Where the target refuses a firewall, the command line writes nothing at all: compared
        // firewall by firewall then, as the library writes the others.
        const whole = compiled([file, '-t', target]);
        const expected = Object.keys(whole).length ? whole : Object.assign({}, ...firewalls.map((f) => compiled([file, '-t', target, '-f', f])));
        expect(byName(await call<FileText[]>({ kind: 'artefacts', text: example.text, file, target })), target).toEqual(expected);
      }
    });

    it('each firewall\'s target panes hold what compile -t TARGET -f FIREWALL writes', async () => {
      const first = await run({ text: example.text, file });
      for (const { name } of first.firewalls) {
        const shown = await run({ text: example.text, file, firewall: name });
        expect(shown.firewall).toBe(name);
        for (const out of shown.outputs) {
          const written = out.refused ? {} : compiled([file, '-t', out.target, '-f', name]);
          expect(byName(out.files), `${name} ${out.target}`).toEqual(written);
        }
      }
    });

    it('ir, check, graph and explain print the same text', async () => {
      const packet = 'tcp 10.20.0.5:51000 -> 198.51.100.7:1503';
      const shown = await run({ text: example.text, file, packet });
      expect(shown.ir).toBe(cli(['ir', file]).stdout);
      expect(shown.checkText).toBe(cli(['check', file]).stdout);
      expect(shown.graph!.mermaid).toBe(cli(['graph', file]).stdout);
      expect(shown.graph!.dot).toBe(cli(['graph', file, '--format', 'dot']).stdout);
      expect(shown.explain).toEqual({ text: cli(['explain', file, packet]).stdout });
    });

    it('diff prints the same text against a changed version', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'msgrfw-same-'));
      try {
        const changed = example.text.replace(/media ports (\d+)-(\d+)/, (_m, a: string, b: string) => `media ports ${a}-${Number(b) + 20}`);
        expect(changed).not.toBe(example.text);
        const newFile = join(dir, 'new.msgr');
        writeFileSync(newFile, changed);
        const shown = await run({ text: changed, file: newFile, base: { file, text: example.text } });
        const printed = cli(['diff', file, newFile]);
        expect(printed.code).toBe(1);
        expect(shown.diff).toEqual({ text: printed.stdout, changed: true });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
