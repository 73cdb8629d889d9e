import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IR_TARGETS } from '../../src/ir/targets.js';
import { EXAMPLES, irOf } from '../helpers.js';
import { msgrfw } from './run.js';

const CONTOSO_TEXT = EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text;
/** Contoso with netsh also listed for the gateway edge, which Windows Firewall cannot be. */
const NETSH_ON_EDGE = CONTOSO_TEXT.replace('targets nftables, pf', 'targets nftables, netsh, pf');
const EDGE_TARGETS_LINE = NETSH_ON_EDGE.split('\n').findIndex((l) => l.includes('targets nftables, netsh, pf')) + 1;
/** Contoso with pf on the desktop host, which pf expresses only approximately. */
const PF_ON_DESKTOP = CONTOSO_TEXT.replace('targets netsh, iptables', 'targets netsh, iptables, pf');

const tmp = () => mkdtempSync(join(tmpdir(), 'msgrfw-findings-'));
const codes = (json: string) => (JSON.parse(json) as { diagnostics: { code: string; line: number }[] }).diagnostics.map((d) => `${d.code}@${d.line}`).sort();

describe('check judges what compile judges', () => {
  it('check refuses a gateway listing netsh (MSGR060 at its targets statement), exit 1; compile the same, writing nothing', () => {
    const check = msgrfw(['check', '-'], NETSH_ON_EDGE);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(new RegExp(`^<stdin>:${EDGE_TARGETS_LINE}:5: error MSGR060: target netsh, firewall edge: edge is a gateway between clients and partners`, 'm'));
    expect(check.stdout).toMatch(/hint: use nftables, iptables or pf for a gateway, or write a host firewall \(`on NET`\) for netsh; or remove netsh from the targets of firewall edge/);
    const dir = tmp();
    const compile = msgrfw(['compile', '-', '--out-dir', dir], NETSH_ON_EDGE);
    expect(compile.code).toBe(1);
    expect(compile.stderr).toContain(check.stdout.split('\n').find((l) => l.includes('MSGR060')));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('the same finding in JSON and SARIF', () => {
    const json = JSON.parse(msgrfw(['check', '--format', 'json', '-'], NETSH_ON_EDGE).stdout);
    expect(json.ok).toBe(false);
    expect(json.diagnostics).toContainEqual(expect.objectContaining({ code: 'MSGR060', severity: 'error', line: EDGE_TARGETS_LINE, column: 5 }));
    const sarif = JSON.parse(msgrfw(['check', '--format', 'sarif', '-'], NETSH_ON_EDGE).stdout);
    const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'MSGR060');
    expect(result).toMatchObject({ level: 'error', locations: [{ physicalLocation: { region: { startLine: EDGE_TARGETS_LINE, startColumn: 5 } } }] });
    expect(sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id)).toContain('MSGR060');
  });

  it('check warns where a listed target only approximates (MSGR061), as compile does, exit 0', () => {
    const check = msgrfw(['check', '--format', 'json', '-'], PF_ON_DESKTOP);
    expect(check.code).toBe(0);
    const compile = msgrfw(['compile', '--format', 'json', '-', '--out-dir', tmp()], PF_ON_DESKTOP);
    expect(compile.code).toBe(0);
    expect(codes(check.stdout)).toContain('MSGR061@33');
    expect(codes(compile.stderr)).toEqual(codes(check.stdout));
  });

  // The setup file compares the two for every policy a test compiles in-process; this runs the
  // built command, as a CI gate does, over the examples with every target forced on every
  // firewall (which exercises every refusal and approximation the targets declare).
  const variants = EXAMPLES.flatMap((e) => [
    [e.name, e.text],
    ...IR_TARGETS.map((t) => [`${e.name} with targets ${t}`, e.text.replace(/^(\s*targets ).*$/gm, `$1${t}`)]),
    [`${e.name} with every target`, e.text.replace(/^(\s*targets ).*$/gm, `$1${IR_TARGETS.join(', ')}`)],
  ]);

  const seen: string[] = [];
  it.each(variants)('%s: check and compile report the same codes and exit status', (_name, text) => {
    const check = msgrfw(['check', '--format', 'json', '-'], text);
    const compile = msgrfw(['compile', '--format', 'json', '-', '--out-dir', tmp()], text);
    expect({ status: compile.code, codes: codes(compile.stderr) }).toEqual({ status: check.code, codes: codes(check.stdout) });
    seen.push(...codes(check.stdout));
  });

  it('the variants cover both kinds of finding', () => {
    expect(seen.join(' ')).toMatch(/MSGR060/);
    expect(seen.join(' ')).toMatch(/MSGR061/);
  });

  it('every policy compiled in this file was recorded for the setup file to compare', () => {
    const recorder = (globalThis as { msgrfwPolicyRecorder?: { texts: Set<string> } }).msgrfwPolicyRecorder;
    irOf(PF_ON_DESKTOP);
    expect(recorder?.texts.has(PF_ON_DESKTOP)).toBe(true);
  });
});

describe('explain and diff name what the targets cannot express', () => {
  const dir = tmp();
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("explain notes a firewall's refusing and approximating targets under its verdict, in text and JSON", () => {
    const packet = 'tcp 10.20.0.5:51000 -> 198.51.100.7:1503';
    const text = msgrfw(['explain', '-', packet], NETSH_ON_EDGE);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/edge \(gateway between clients and partners\), forward: ACCEPT\n(?:  .*\n)*  target netsh refuses this firewall \(MSGR060, compile writes nothing for it\): edge is a gateway/);
    const json = JSON.parse(msgrfw(['explain', '--format', 'json', '-', packet], NETSH_ON_EDGE).stdout);
    expect(json.evaluations.find((e: { firewall: string }) => e.firewall === 'edge').targets).toEqual([
      { target: 'netsh', code: 'MSGR060', message: expect.stringMatching(/^edge is a gateway/) },
    ]);
    expect(json.evaluations.find((e: { firewall: string }) => e.firewall === 'desktop').targets).toEqual([]);
    const pf = JSON.parse(msgrfw(['explain', '--format', 'json', '-', '-f', 'desktop', 'tcp 10.9.0.7:40000 -> 10.20.0.5:22'], PF_ON_DESKTOP).stdout);
    expect(pf.evaluations[0].targets).toEqual([{ target: 'pf', code: 'MSGR061', message: expect.stringMatching(/^pf cannot match the IPv6 hop limit/) }]);
  });

  it('diff notes a target that starts or stops refusing a firewall; allowed traffic alone decides the exit status', () => {
    const old = write('old.msgr', CONTOSO_TEXT);
    const next = write('new.msgr', NETSH_ON_EDGE);
    const on = msgrfw(['diff', old, next]);
    expect(on.code).toBe(0);
    expect(on.stdout).toContain('  note: targets: nftables, pf -> netsh, nftables, pf\n  note: target netsh: now refused (MSGR060): edge is a gateway between clients and partners');
    const off = msgrfw(['diff', '--format', 'json', next, old]);
    expect(JSON.parse(off.stdout).firewalls.find((f: { name: string }) => f.name === 'edge').notes).toEqual(['targets: netsh, nftables, pf -> nftables, pf', 'target netsh: no longer refused (MSGR060)']);
    const pf = msgrfw(['diff', old, write('pf.msgr', PF_ON_DESKTOP)]);
    expect(pf.stdout).toContain('  note: target pf: now approximated (MSGR061): pf cannot match the IPv6 hop limit');
  });
});
