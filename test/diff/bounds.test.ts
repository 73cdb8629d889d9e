import { describe, expect, it } from 'vitest';
import { Work } from '../../src/addresses/boxes.js';
import { compilePolicy } from '../../src/compile.js';
import { DIFF_WORK_LIMIT, DiffTooComplex, diffPolicies, type FirewallDiff, type PolicyVersion, type TrafficClass } from '../../src/diff/diff.js';
// @ts-expect-error: the benchmark's policy shapes are plain JavaScript
import * as shapes from '../../bench/diff-shapes.mjs';

type Pair = [oldText: string, newText: string];
type ShapeName = 'rule with N ports' | 'rule from N hosts' | 'N ports and N hosts' | 'clients on N hosts';
const SHAPES = shapes.SHAPES as Record<ShapeName, (n: number) => Pair>;
const splinters = shapes.splinters as (rules: number) => Pair;
const hosts = shapes.hosts as (n: number, net: string) => string[];

// Issue 10, item 9: `diff` in bounded time. Speed itself is measured by bench/diff.mjs; these
// tests count the diff's work (deterministic steps), and each has a timeout that the box
// subtraction this replaced (83 s for two 2 KB policies) could not meet.

function version(text: string, file: string): PolicyVersion {
  const { ir, diagnostics } = compilePolicy(text, file);
  if (!ir) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return { ir, source: { file, text } };
}

const row = (c: TrafficClass) =>
  `${c.protocol} ${c.direction} v${c.family} ${c.src.join(',')} -> ${c.dst.join(',')} ${c.icmpTypes ? `type ${c.icmpTypes.join(',')}` : `sport ${c.srcPorts!.join(',')} dport ${c.dstPorts!.join(',')}`}`;
const rows = (fw: FirewallDiff, kind: 'newlyAllowed' | 'newlyDenied') => fw[kind].flatMap((c) => c.classes.map(row));

/** The diff of one shape at size n, and the steps it took. */
function diffShape(name: ShapeName, n: number) {
  const [oldText, newText] = SHAPES[name](n);
  const work = new Work(DIFF_WORK_LIMIT);
  const d = diffPolicies(version(oldText, 'old.msgr'), version(newText, 'new.msgr'), undefined, work);
  const fw = (f: string) => d.firewalls.find((x) => x.name === f)!;
  return { d, fw, steps: work.used };
}

/** What the work of these shapes grows like: a few thousand steps plus a few dozen per port or host. */
const FEW_STEPS = (n: number) => 3_000 + 30 * n;
const TIMEOUT = 10_000;

describe('diff in bounded time: rules with many ports and networks of many hosts', () => {
  for (const n of [100, 200]) {
    const hostList = (net: string) => hosts(n, net).join(',');

    it(`a plain rule with ${n} separate ports, one dropped and one added: exactly those two ports change`, () => {
      const { fw, steps } = diffShape('rule with N ports', n);
      expect(rows(fw('desktop'), 'newlyAllowed')).toEqual(['tcp input v4 10.9.0.0/24 -> 10.20.0.0/16 sport 1-65535 dport 2']);
      expect(rows(fw('desktop'), 'newlyDenied')).toEqual(['tcp input v4 10.9.0.0/24 -> 10.20.0.0/16 sport 1-65535 dport 1001']);
      expect(fw('edge').status).toBe('unchanged');
      expect(steps).toBeLessThan(FEW_STEPS(n));
    }, TIMEOUT);

    it(`a plain rule from ${n} separate hosts, one host added: exactly that host is newly allowed`, () => {
      const { fw, steps } = diffShape('rule from N hosts', n);
      expect(rows(fw('desktop'), 'newlyAllowed')).toEqual(['tcp input v4 10.8.0.1 -> 10.20.0.0/16 sport 1-65535 dport 22']);
      expect(fw('desktop').newlyDenied).toEqual([]);
      expect(steps).toBeLessThan(FEW_STEPS(n));
    }, TIMEOUT);

    it(`a deny of ${n} ports before an allow from ${n} hosts, one port no longer denied: those hosts, that port`, () => {
      const { fw, steps } = diffShape('N ports and N hosts', n);
      expect(rows(fw('desktop'), 'newlyAllowed')).toEqual([`tcp input v4 ${hostList('10.9')} -> 10.20.0.0/16 sport 1-65535 dport 1001`]);
      expect(fw('desktop').newlyAllowed[0]!.old).toMatchObject({ kind: 'rule', verdict: 'drop' });
      expect(fw('desktop').newlyDenied).toEqual([]);
      expect(steps).toBeLessThan(FEW_STEPS(n));
    }, TIMEOUT);

    it(`Messenger's rules for clients on ${n} separate hosts, media range widened: the new port pairs, one row per side`, () => {
      const { fw, steps } = diffShape('clients on N hosts', n);
      const clients = hostList('10.20');
      expect(rows(fw('edge'), 'newlyAllowed')).toEqual([
        `udp forward v4 ${clients} -> 198.51.100.0/24 sport 50000-50039 dport 50040-50059`,
        `udp forward v4 ${clients} -> 198.51.100.0/24 sport 50040-50059 dport 50000-50059`,
        `udp forward v4 198.51.100.0/24 -> ${clients} sport 50000-50039 dport 50040-50059`,
        `udp forward v4 198.51.100.0/24 -> ${clients} sport 50040-50059 dport 50000-50059`,
      ]);
      expect(rows(fw('desktop'), 'newlyAllowed')).toEqual([
        `udp input v4 ${clients},198.51.100.0/24 -> ${clients} sport 50000-50039 dport 50040-50059`,
        `udp input v4 ${clients},198.51.100.0/24 -> ${clients} sport 50040-50059 dport 50000-50059`,
      ]);
      expect(steps).toBeLessThan(FEW_STEPS(n));
    }, TIMEOUT);
  }
});

describe('diff in bounded time: the work limit', () => {
  it('stops a pair whose rules splinter each other at the limit, naming the firewall, within seconds', () => {
    const [oldText, newText] = splinters(20);
    const [o, n] = [version(oldText, 'old.msgr'), version(newText, 'new.msgr')];
    const work = new Work(DIFF_WORK_LIMIT);
    const started = performance.now();
    expect(() => diffPolicies(o, n, undefined, work)).toThrow(DiffTooComplex);
    // It gave up at the limit, not later (the limit is about two seconds of work on a quiet machine).
    expect(work.used).toBeGreaterThan(DIFF_WORK_LIMIT);
    expect(work.used).toBeLessThan(DIFF_WORK_LIMIT + 1_000_000);
    expect(performance.now() - started).toBeLessThan(TIMEOUT);
    try {
      diffPolicies(o, n, undefined, new Work(1_000_000));
    } catch (e) {
      expect(e).toMatchObject({ firewall: 'fw', limit: 1_000_000 });
    }
  }, 2 * TIMEOUT);

  it('finishes the same pair, with the same result every time, given more steps', () => {
    const [oldText, newText] = splinters(6);
    const [o, n] = [version(oldText, 'old.msgr'), version(newText, 'new.msgr')];
    const first = new Work(DIFF_WORK_LIMIT);
    const d = diffPolicies(o, n, undefined, first);
    const second = new Work(DIFF_WORK_LIMIT);
    expect(diffPolicies(o, n, undefined, second)).toEqual(d);
    expect(second.used).toBe(first.used);
    expect(() => diffPolicies(o, n, undefined, new Work(first.used - 1))).toThrow(DiffTooComplex);
  }, TIMEOUT);
});
