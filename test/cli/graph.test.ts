import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderDot } from '../../src/graph/dot.js';
import { renderMermaid } from '../../src/graph/mermaid.js';
import { buildGraph } from '../../src/graph/model.js';
import { irOf } from '../helpers.js';
import { CONTOSO, msgrfw, noStackTrace } from './run.js';

const CONTOSO_IR = irOf(readFileSync(CONTOSO, 'utf8'), 'contoso.msgr');

describe('msgrfw graph', () => {
  it('prints the Mermaid picture of every firewall by default, warnings on stderr, exit 0', () => {
    const r = msgrfw(['graph', CONTOSO]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(renderMermaid(buildGraph(CONTOSO_IR)));
    expect(r.stderr).toContain('0 error(s), 5 warning(s)');
  });

  it('prints DOT with --format dot, and one firewall with -f', () => {
    expect(msgrfw(['graph', CONTOSO, '--format', 'dot']).stdout).toBe(renderDot(buildGraph(CONTOSO_IR)));
    expect(msgrfw(['graph', CONTOSO, '-f', 'edge', '--format', 'dot']).stdout).toBe(renderDot(buildGraph(CONTOSO_IR, 'edge')));
  });

  it('reads stdin and writes a file with -o, as ir -o does (quietly)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msgrfw-graph-'));
    try {
      const out = join(dir, 'contoso.mmd');
      const r = msgrfw(['graph', '-', '-o', out], readFileSync(CONTOSO, 'utf8'));
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
      expect(readFileSync(out, 'utf8')).toBe(renderMermaid(buildGraph(CONTOSO_IR)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown firewall or format (exit 2), and shows the errors of a broken policy (exit 1)', () => {
    const unknown = msgrfw(['graph', CONTOSO, '-f', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no firewall named 'nope' (the policy has: edge, desktop, lcs-host)");
    const format = msgrfw(['graph', CONTOSO, '--format', 'svg']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("Allowed choices are mermaid, dot");
    const broken = msgrfw(['graph', '-'], 'deployment d {\n  network a = 10.0.0.1/8\n}\n');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toContain('MSGR014');
    for (const r of [unknown, format, broken]) noStackTrace(r.stderr);
  });
});
