// The largest policies the limits allow (4 MiB, 1,000 plain rules per firewall), in the shapes
// that multiply: many ports in one rule, many address blocks on both sides of a rule, many
// firewalls sharing a large network, a long description in every file, gateways between large
// zones. Every target, forced on
// every firewall, either writes artefacts that are valid for their platform within the
// documented sizes, or refuses with a diagnostic (MSGR053 past a size, MSGR060 what it cannot
// express): never a crash, never a half-built text.
//
// Valid means: netsh scripts pass the cmd.exe model (every line within 8,191 characters, every
// list within 1,000 entries) and read back as the IR's rules, split rules merged; pf anchors
// read back as the IR; nftables and iptables files pass `nft -c` and `iptables-restore --test`
// (after their `ipset restore`) in a private network namespace.
//
// Files larger than 1 MiB are held to their size, the target's own count and the cmd.exe model
// only: reading back or loading many MiB takes minutes, and what these checks prove of a large
// file the small ones prove of the same code. By default a fixed case or two per shape, each at
// 95% of the 4 MiB limit (about 90 seconds); random ones, from small to the limit, with:
//   MSGRFW_SIZE_RUNS=10 MSGRFW_SIZE_SEED=3 npx vitest run test/hardening/sizes.test.ts
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/compile.js';
import { MAX_POLICY_CHARS } from '../../src/parse/parse.js';
import type { IrTarget } from '../../src/ir/types.js';
import { emitTargets } from '../../targets/emit.js';
import { TARGET_CAPABILITIES } from '../../targets/judge.js';
import { MAX_ARTEFACT_BYTES, utf8Bytes } from '../../targets/size.js';
import { MAX_CMD_LINE } from '../../targets/netsh/readerCmd.js';
import { bigZones, longDescription, manyBlocks, manyFirewalls, manyPorts } from './largest.js';
import { ALL_TARGETS, readerProblems, ValidatorBatch, validatorsUsable, type Output } from './support.js';

/** Random cases per shape on top of the fixed ones (0: only the fixed ones). */
const RUNS = Number(process.env.MSGRFW_SIZE_RUNS ?? 0);
const SEED = Number(process.env.MSGRFW_SIZE_SEED ?? 20260101);
/** The share of MAX_POLICY_CHARS the fixed cases fill; random ones range from small to the limit. */
const FIXED_FILL = 0.95;
/** A case past this has hung or regressed by far (one takes 5 to 25 s here, on 2 loaded cores). */
const BUDGET_MS = 120_000;
/** Files up to this size are also read back and validated by nft / iptables-restore. */
const READ_LIMIT = 1024 * 1024;

const ROOT = process.getuid?.() === 0;
const usable = validatorsUsable();
// As root the validators run in `unshare -n`, which loads sets of any size; through a user
// namespace nft refuses large ones (see support.ts), so without root they are not checked here.
const kernelChecks = ROOT && usable.ok;
if (!kernelChecks && process.env.CI === 'true') throw new Error(`sizes: nft and iptables-restore must run as root under CI (${usable.ok ? 'not root' : usable.why})`);
if (!kernelChecks) console.warn(`sizes: nft -c and iptables-restore --test skipped: ${usable.ok ? 'not root (large sets need root netlink buffers)' : usable.why}`);

const report: string[] = [];
afterAll(() => console.log(`sizes (seed ${SEED}):\n  ${report.join('\n  ')}`));

// ---------------------------------------------------------------------------------------------

/**
 * What is wrong with an artefact the cmd.exe model and readers can judge on their own, and
 * whether the target's size count (what decided MSGR053 without writing it) fell short of it.
 */
function artefactProblems(out: Output, ir: Parameters<typeof readerProblems>[0], counted: number | undefined): string[] {
  const problems: string[] = [];
  const bytes = utf8Bytes(out.content);
  if (bytes > MAX_ARTEFACT_BYTES) problems.push(`${out.name}: ${bytes} bytes`);
  if (counted === undefined || counted < bytes) problems.push(`${out.name}: ${bytes} bytes, but the target counted ${counted}`);
  if (out.name.endsWith('.cmd')) {
    for (const line of out.content.split('\r\n')) {
      if (line.length > MAX_CMD_LINE) problems.push(`${out.name}: a line of ${line.length} characters`);
      for (const m of line.matchAll(/ (local|remote)(ip|port)=(\S+)/g)) {
        const entries = m[3]!.split(',').length;
        if (entries > 1000) problems.push(`${out.name}: ${m[1]}${m[2]} of ${entries} entries`);
      }
    }
  }
  // The readers and the kernel validators take minutes on files of many MiB; those files are held
  // to their size, their count and the cmd.exe model, and smaller ones are read back in full.
  return bytes <= READ_LIMIT ? [...problems, ...readerProblems(ir, out)] : problems;
}

/** Lets vitest's worker talk to its runner between long synchronous steps. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Compiles a policy, forces every target on every firewall, and checks every outcome. */
async function checkLargest(label: string, text: string): Promise<void> {
  expect(text.length, label).toBeLessThanOrEqual(MAX_POLICY_CHARS);
  const started = performance.now();
  const r = compilePolicy(text, 'large.msgr');
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  expect(errors.filter((d) => d.code !== 'MSGR053'), label).toEqual([]);
  const seen: string[] = [`${label}: ${(text.length / 1048576).toFixed(2)} MiB`];
  if (!r.ir) {
    expect(errors.length, label).toBeGreaterThan(0);
    seen.push(`MSGR053 before the targets (${errors[0]!.message.slice(0, 80)}…)`);
  } else {
    const batch = new ValidatorBatch({ nft: 1, v4: 1, v6: 1 }, '-n');
    for (const target of ALL_TARGETS as IrTarget[]) {
      await breathe();
      const { files, problems, tooLarge } = emitTargets(r.ir, { target });
      const outputs: Output[] = files.map((f) => ({ firewall: f.firewall, target, name: f.artefact.name, content: f.artefact.content }));
      // Each firewall is written or refused, never both (nothing half-built), never neither.
      const refused = new Set([...problems, ...tooLarge].map((f) => f.firewall.name));
      const runRefused = tooLarge.some((f) => f.run);
      for (const fw of r.ir.firewalls) {
        const wrote = outputs.some((o) => o.firewall === fw);
        expect(wrote ? !refused.has(fw.name) && !runRefused : refused.has(fw.name) || runRefused, `${label} ${target} ${fw.name}: written ${wrote}`).toBe(true);
      }
      const counted = new Map(r.ir.firewalls.flatMap((fw) => (files.some((f) => f.firewall === fw) ? TARGET_CAPABILITIES[target].size.artefacts(r.ir!, fw) : [])).map((a) => [a.name, a.bytes]));
      for (const o of outputs) expect(artefactProblems(o, r.ir, counted.get(o.name)).map((p) => p.slice(0, 600)), `${label} ${o.name}`).toEqual([]);
      // A rules file is loaded after its firewall's .ipset, whatever the set's size (ipset restore takes a large one in a second).
      if (kernelChecks) batch.addOutputs(label, outputs.filter((o) => o.name.endsWith('.ipset') || utf8Bytes(o.content) <= READ_LIMIT));
      const written = outputs.reduce((n, o) => n + o.content.length, 0);
      const count = outputs.reduce((n, o) => n + counted.get(o.name)!, 0);
      seen.push(`${target}: ${outputs.length} files ${(written / 1048576).toFixed(1)} MB (counted ${(count / 1048576).toFixed(1)})${problems.length ? `, ${problems.length} refused (MSGR060)` : ''}${tooLarge.length ? `, ${tooLarge.length} too large (MSGR053)` : ''}`);
    }
    await breathe();
    if (kernelChecks) expect(batch.run(), label).toEqual([]);
  }
  const ms = performance.now() - started;
  report.push(`${seen.join('; ')}; ${Math.round(ms)} ms`);
  expect(ms, label).toBeLessThan(BUDGET_MS);
}

/**
 * Each shape's fixed cases at FIXED_FILL, then RUNS random ones: `make(fill, ...params)` with
 * params drawn from `random`.
 */
function shape<P extends unknown[]>(fixed: P[], random: fc.Arbitrary<P>, name: (...p: P) => string, make: (fill: number, ...p: P) => string): () => Promise<void> {
  return async () => {
    for (const p of fixed) await checkLargest(name(...p), make(FIXED_FILL, ...p));
    if (RUNS > 0) {
      await fc.assert(
        fc.asyncProperty(fc.double({ min: 0.02, max: 0.99, noNaN: true }), random, (f, p) => checkLargest(`${name(...p)} at ${(100 * f).toFixed(0)}%`, make(f, ...p))),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    }
  };
}

const TIMEOUT = 600_000 + RUNS * BUDGET_MS;

describe('the largest policies the limits allow: every target writes valid artefacts within its sizes, or a diagnostic', () => {
  it(
    'many ports: some 600 in each of 1,000 rules, all 32,768 odd ones together (and, in random runs, in one or ten rules)',
    shape([[1000, true]], fc.tuple(fc.constantFrom(1, 10, 1000), fc.boolean()), (rules) => `ports (${rules} rules)`, manyPorts),
    TIMEOUT,
  );

  it(
    'many address blocks on both sides of a rule (netsh multiplies them), with a deny before it',
    shape([[0.5, true]], fc.tuple(fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.boolean()), (share, deny) => `blocks (local ${share.toFixed(2)}${deny ? ', deny' : ''})`, manyBlocks),
    TIMEOUT,
  );

  it(
    "many firewalls sharing a large network: ten written in full, a hundred past the IR's blocks",
    shape([[10], [100]], fc.tuple(fc.constantFrom(10, 100, 2000, 20000)), (n) => `${n} firewalls`, manyFirewalls),
    TIMEOUT,
  );

  it(
    'a long description, written into every file: of one firewall, and of a hundred (past the 256 MiB of a run)',
    shape([[1], [100]], fc.tuple(fc.constantFrom(1, 10, 100)), (n) => `description (${n} firewalls)`, longDescription),
    TIMEOUT,
  );

  it(
    'a gateway between two large zones, with 100 rules between them (and, in random runs, one or 1,000)',
    shape([[100]], fc.tuple(fc.constantFrom(1, 100, 1000)), (rules) => `zones (${rules} rules)`, bigZones),
    TIMEOUT,
  );
});
