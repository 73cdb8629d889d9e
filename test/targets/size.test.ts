import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IR_TARGETS } from '../../src/ir/targets.js';
import type { IrDocument } from '../../src/ir/types.js';
import { emitTargets } from '../../targets/emit.js';
import { groupPolicyArtefacts } from '../../targets/gpo/index.js';
import { groupPolicyBytes } from '../../targets/gpo/size.js';
import { TARGET_CAPABILITIES, targetDiagnostics, targetFindings } from '../../targets/judge.js';
import { MAX_RUN_BYTES, utf8Bytes } from '../../targets/size.js';
import { EXAMPLES, irOf } from '../helpers.js';

/**
 * Every file every target writes for the document (each firewall forced on each target), with
 * the bytes the target counted for it from the IR beforehand.
 */
function writtenAndCounted(doc: IrDocument): { name: string; target: string; bytes: number; counted: number }[] {
  return IR_TARGETS.flatMap((target) => {
    const { files } = emitTargets(doc, { target });
    return files.map((f) => {
      const counted = TARGET_CAPABILITIES[target].size.artefacts(doc, f.firewall).find((a) => a.name === f.artefact.name);
      return { name: f.artefact.name, target, bytes: Buffer.byteLength(f.artefact.content, 'utf8'), counted: counted?.bytes ?? -1 };
    });
  });
}

/** The count may exceed a file by its fixed text's slack, never fall short of it. */
const SLACK = (bytes: number) => 2 * bytes + 48 * 1024;

describe('each target counts what it would write, from the IR alone', () => {
  it('every file of every example on every target: never more than the count, and the count within the slack of fixed text', () => {
    for (const e of EXAMPLES) {
      for (const f of writtenAndCounted(irOf(e.text, e.name))) {
        expect(f.counted, `${e.name} ${f.name}`).toBeGreaterThanOrEqual(f.bytes);
        expect(f.counted, `${e.name} ${f.name}`).toBeLessThanOrEqual(SLACK(f.bytes));
      }
    }
    for (const e of EXAMPLES) {
      const doc = irOf(e.text, e.name);
      for (const g of groupPolicyArtefacts(doc)) expect(groupPolicyBytes(doc, doc.groupPolicy.find((x) => x.clients === g.clients)!)).toBeGreaterThanOrEqual(Buffer.byteLength(g.content));
    }
  });

  // Policies of the shapes that make files large, small enough to write: many blocks (both
  // families) on both sides of a rule, many ports, logged denies, gateways, a description with
  // every kind of character a policy may hold.
  const shapes = fc.record({
    local: fc.integer({ min: 1, max: 300 }),
    remote: fc.integer({ min: 1, max: 300 }),
    v6: fc.boolean(),
    ports: fc.integer({ min: 1, max: 3000 }),
    rules: fc.integer({ min: 1, max: 12 }),
    deny: fc.boolean(),
    log: fc.boolean(),
    gateway: fc.boolean(),
    description: fc.string({ unit: fc.constantFrom('a', ' ', 'é', '中', '🔥', '"', '\\', '%', '&', 'x'.repeat(80)), maxLength: 300 }),
  });
  type Shape = typeof shapes extends fc.Arbitrary<infer T> ? T : never;
  const policyOf = (s: Shape) => {
    const block = (side: number, i: number) => (s.v6 && i % 3 === 0 ? `2001:db8:${side}:${i.toString(16)}::/64` : `${10 + side}.${i >> 8}.${i & 255}.0/25`);
    const blocks = (side: number, n: number) => Array.from({ length: n }, (_, i) => block(side, i)).join(', ');
    const ports = Array.from({ length: s.ports }, (_, i) => 1 + 3 * i).join(',');
    const rules = Array.from({ length: s.rules }, (_, k) =>
      `    ${s.deny && k % 2 === 0 ? 'deny' : 'allow'} ${k % 3 ? 'udp' : 'tcp'} ${k % 2 ? ports : `${1000 + k}`} from r${s.gateway ? ' to mine' : k % 4 === 3 ? '' : ' to mine'}`,
    );
    const place = s.gateway ? 'between r and mine' : 'on h';
    const description = s.description.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
    return (
      `deployment d {\n  description "${description}"\n  network mine = ${blocks(0, s.local)}\n  network h = mine, 192.168.0.0/16\n  network r = ${blocks(1, s.remote)}\n` +
      `  firewall f {\n    ${place}\n    targets nftables\n${s.log ? '    log denied\n' : ''}${rules.join('\n')}\n  }\n}\n`
    );
  };

  it('random policies of the shapes that grow: every file within its count (property)', () => {
    fc.assert(
      fc.property(shapes, (s) => {
        for (const f of writtenAndCounted(irOf(policyOf(s)))) {
          expect(f.counted, `${f.name}`).toBeGreaterThanOrEqual(f.bytes);
          expect(f.counted, `${f.name}`).toBeLessThanOrEqual(SLACK(f.bytes));
        }
      }),
      { numRuns: 40, seed: 20260105 },
    );
  }, 120_000);
});

describe('MSGR053: past a documented size, check and compile refuse before writing', () => {
  it("a description is written into every firewall's files: 40 firewalls of 9 MiB each pass the 256 MiB of a run, at the firewall that passes it", () => {
    const description = 'a'.repeat(3 * 1024 * 1024);
    const firewalls = Array.from({ length: 40 }, (_, i) => `  firewall f${i} {\n    on h\n    targets nftables, iptables\n  }\n`).join('');
    const text = `deployment d {\n  description "${description}"\n  network h = 10.0.0.0/8\n${firewalls}}\n`;
    const doc = irOf(text, 'big.msgr');
    const started = Date.now();
    const findings = targetFindings(doc);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(findings.map((f) => [f.kind, f.run])).toEqual([['too-large', true]]);
    const total = (n: number) => doc.firewalls.slice(0, n).reduce((sum, fw) => sum + fw.targets.reduce((t, target) => t + TARGET_CAPABILITIES[target].size.artefacts(doc, fw).reduce((b, a) => b + a.bytes, 0), 0), 0);
    const crossing = doc.firewalls.findIndex((_, i) => total(i + 1) > MAX_RUN_BYTES);
    expect(findings[0]!.firewall.name).toBe(`f${crossing}`);
    const [d] = targetDiagnostics(doc, 'big.msgr');
    expect(d).toMatchObject({ code: 'MSGR053', severity: 'error', line: doc.firewalls[crossing]!.origin.line });
    expect(d!.message).toMatch(/^the 120 files of this compile would come to [0-9.]+ MiB, past 256\.0 MiB from firewall f\d+ \(\w+\) on; msgrfw writes at most 256\.0 MiB in one run/);
    expect(d!.hint).toMatch(/-f FIREWALL, -t TARGET/);
    expect(emitTargets(doc, {})).toMatchObject({ files: [], groupPolicy: [] });
    // One firewall at a time is within the run's limit.
    expect(emitTargets(doc, { firewall: 'f0' }).files.map((f) => f.artefact.name)).toEqual(['f0.nft', 'f0.rules.v4', 'f0.rules.v6']);
  }, 60_000);
});

describe('utf8Bytes (the count the browser build also runs, without Buffer)', () => {
  it('is the length of the UTF-8 encoding of any string, lone surrogates included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), (a, b) => {
      for (const s of [a, b, a + b, `${a}\ud800`, `\udc00${b}`]) expect(utf8Bytes(s)).toBe(Buffer.byteLength(s, 'utf8'));
    }), { numRuns: 500 });
  });
});
