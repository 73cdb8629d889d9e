// Shared by the hardening tests: hostile text, every target forced on every firewall, the
// reader checks for netsh and pf, and batched syntax validators for nftables and iptables.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { compilePolicy } from '../../src/compile.js';
import { IR_TARGETS } from '../../src/ir/targets.js';
import { blankHiddenCharacters } from '../../src/text/hidden.js';
import type { IrDocument, IrFirewall, IrTarget } from '../../src/ir/types.js';
import { emitTargets } from '../../targets/emit.js';
import { batchSafetyProblems, parseBatch } from '../../targets/netsh/readerCmd.js';
import { missingTools, notRunnable } from '../requiredTools.js';
import { irToTuples } from '../readers/ir.js';
import { mergeSplitRules, netshTuples, readNetshScript } from '../../targets/netsh/reader.js';
import { readPf } from '../../targets/pf/reader.js';
import { isPortTuple, tupleText } from '../../targets/readers/tuple.js';

export const ALL_TARGETS: readonly IrTarget[] = IR_TARGETS;

/** Commands a generated .cmd may run (as the netsh target's own tests allow). */
export const NETSH_COMMANDS = ['netsh', 'setlocal', 'endlocal', 'if', 'exit', 'echo'];

/**
 * Free text that means something to a shell, cmd.exe, netsh, nft, iptables-restore, pf.conf,
 * regedit or an HTML escaper. Each is one line (a policy string cannot hold a line break);
 * `escapeMsgr` turns one into a policy string.
 */
export const HOSTILE_TEXT: readonly string[] = [
  'Tom & Jerry\'s "firewall" <b>&amp;</b> &lt;&gt; &#39; &quot;',
  'C:\\temp\\ \\\\server\\share\\ ends in a backslash \\',
  'a; reboot; rm -rf / ; :(){ :|:& };:',
  'x && calc.exe || del /q /s C:\\* | more < in > out 2>&1',
  '%PATH% %~dp0 %%x !VAR! %0 %* ^& ^| ^^',
  '$(reboot) ${IFS} `id` $((1+1)) $macro',
  '*/ drop all /* -- */ # not a comment',
  '"; flush ruleset; table inet x { chain c { type filter hook input priority -500; policy accept; } }; "',
  '} } table inet evil { chain c { type filter hook input priority 0; policy accept; } }',
  '" -j ACCEPT -A INPUT -j ACCEPT COMMIT *filter :INPUT ACCEPT [0:0]',
  '" & netsh advfirewall set allprofiles state off & rem "',
  '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil] "Enabled"=dword:00000001',
  'pass quick all # anchor "*" set skip on lo0 \\',
  'label "x" $x <tbl> { a, b } !=',
  'tab\there, bell \u0007, escape \u001b[31mred\u001b[0m, DEL \u007f, NEL \u0085, NUL \u0000',
  'line\u2028separator\u2029paragraph \u200b zero width \ufeff BOM',
  'Trojan Source \u202e} \u2066// bidi\u2069 \u2066 marks \u200e\u200f\u061c lone\rCR',
  'Zürich Ærø café 中文 日本語 עברית مرحبا 🔥💣 \u{10ffff}',
  'trailing caret ^',
  'trailing backslash \\',
];

/**
 * The hostile corpus as a policy may hold it: without the characters that hide what text says
 * (MSGR007 refuses them anywhere in a policy; `injection.test.ts` checks that), every other
 * hostile character kept. The whole corpus still goes into names and file names.
 */
export const LEGAL_HOSTILE_TEXT: readonly string[] = HOSTILE_TEXT.map(blankHiddenCharacters);

/** Escapes text as a .msgr string (`\"` and `\\` are the only escapes). */
export const escapeMsgr = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** About 100 KB of free text built from every hostile line a policy may hold. */
export const LONG_TEXT = (() => {
  const unit = LEGAL_HOSTILE_TEXT.join(' | ');
  return unit.repeat(Math.ceil(100_000 / unit.length)).slice(0, 100_000);
})();

export interface Output {
  firewall: IrFirewall;
  target: IrTarget;
  name: string;
  content: string;
}

/** Every target on every firewall, whatever the firewall's `targets` say. */
export function emitEverything(ir: IrDocument): { outputs: Output[]; refused: string[] } {
  const outputs: Output[] = [];
  const refused: string[] = [];
  for (const target of ALL_TARGETS) {
    const { files, problems, tooLarge } = emitTargets(ir, { target });
    for (const f of files) outputs.push({ firewall: f.firewall, target, name: f.artefact.name, content: f.artefact.content });
    for (const p of problems) refused.push(`${target} ${p.firewall.name}: ${p.message}`);
    for (const p of tooLarge) refused.push(`${target} ${p.firewall.name}: too large: ${p.message}`);
  }
  return { outputs, refused };
}

const REG_VALUES = new Set(['Enabled', 'MinMediaPort', 'MaxMediaPort', 'MinSipDynamicPort', 'MaxSipDynamicPort']);
const REG_KEYS = new Set([
  '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Communicator\\PortRange]',
  '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\RTC\\PortRange]',
]);

/** A .reg file may hold only the header, `;` comments, our two keys and our dword values. */
export function regProblems(reg: string): string[] {
  const problems: string[] = [];
  if (/[^\x20-\x7e\r\n]/.test(reg)) problems.push('a character outside printable ASCII');
  if (/\r(?!\n)|(?<!\r)\n/.test(reg)) problems.push('a line end that is not CRLF');
  const lines = reg.split('\r\n');
  if (lines[0] !== 'Windows Registry Editor Version 5.00') problems.push('no header');
  lines.slice(1).forEach((l, i) => {
    if (l === '' || l.startsWith(';') || REG_KEYS.has(l)) return;
    const m = /^"([A-Za-z]+)"=dword:[0-9a-f]{8}$/.exec(l);
    if (m && REG_VALUES.has(m[1]!)) return;
    problems.push(`line ${i + 2}: ${JSON.stringify(l.slice(0, 80))}`);
  });
  return problems;
}

/**
 * What the netsh and pf readers find wrong with an output: for a .cmd, the cmd.exe safety
 * check, a failed run, any rule not named as ours, or tuples other than the IR's; for a .reg,
 * anything but our keys and values; for pf, a parse error or port tuples other than the IR's.
 * nftables and iptables outputs are for the validators (and the kernel tests).
 */
export function readerProblems(ir: IrDocument, out: Output): string[] {
  const where = `${out.target} ${out.name}`;
  try {
    if (out.name.endsWith('.cmd')) {
      const problems = batchSafetyProblems(out.content, NETSH_COMMANDS).map((p) => `${where}: ${p}`);
      const state = readNetshScript(out.content);
      if (state.exitCode !== 0) problems.push(`${where}: exit ${state.exitCode}`);
      const ours = `msgrfw ${ir.deployment} ${out.firewall.name}`;
      for (const r of state.rules) if (r.name !== ours) problems.push(`${where}: a rule named ${JSON.stringify(r.name)}`);
      const got = netshTuples({ rules: mergeSplitRules(state.rules) }).map(tupleText);
      const want = irToTuples(out.firewall).map(tupleText);
      if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${where}: tuples differ from the IR:\n  got  ${got.join('\n       ')}\n  want ${want.join('\n       ')}`);
      return problems;
    }
    if (out.name.endsWith('.reg')) return regProblems(out.content).map((p) => `${where}: ${p}`);
    if (out.name.endsWith('.pf.conf')) {
      const { tuples } = readPf(out.content, { forward: out.firewall.placement.kind === 'gateway' });
      const got = tuples.filter((t) => isPortTuple(t) && !t.iface).map(tupleText);
      const want = irToTuples(out.firewall).map(tupleText);
      return JSON.stringify(got) === JSON.stringify(want) ? [] : [`${where}: tuples differ from the IR:\n  got  ${got.join('\n       ')}\n  want ${want.join('\n       ')}`];
    }
    return [];
  } catch (e) {
    return [`${where}: ${(e as Error).message}`];
  }
}

/** Lines that are not comments, for comparing two outputs that may differ only in comments. */
export function codeLines(out: Pick<Output, 'name' | 'content'>): string[] {
  const lines = out.content.split(/\r?\n/);
  if (out.name.endsWith('.cmd')) return lines.filter((l) => !/^rem(\s|$)/i.test(l));
  if (out.name.endsWith('.reg')) return lines.filter((l) => !l.startsWith(';'));
  return lines.filter((l) => !l.startsWith('#'));
}

// ---------------------------------------------------------------------------------------------
// Comparing a policy with hostile text to the same policy without it.

export function compiled(text: string, file: string): { ir: IrDocument } & ReturnType<typeof emitEverything> {
  const r = compilePolicy(text, file);
  if (!r.ir) throw new Error(`${file} does not compile:\n${r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('\n')}`);
  return { ir: r.ir, ...emitEverything(r.ir) };
}

/** The example with its description statement replaced (`literal` is the policy text after `description `). */
export const withDescription = (text: string, literal: string) => text.replace(/^(\s*)description "[^"\n]*"/m, (_m, indent: string) => `${indent}description ${literal}`);

/** Every line of the policy gets a trailing comment: positions, and so every output byte, stay the same. */
export const withComments = (text: string, comment: string) =>
  text
    .split('\n')
    .map((l) => (l.trim() === '' || l.includes('#') || /"/.test(l) ? l : `${l} # ${comment}`))
    .join('\n');

/**
 * The two compiles mean the same: the same outputs with the same lines outside comments, the
 * same targets refusing the same firewalls, the readers' view equal (netsh commands run, pf
 * tuples), and the hostile outputs pass every reader check on their own.
 */
export function expectSameMeaning(clean: ReturnType<typeof compiled>, hostile: ReturnType<typeof compiled>): void {
  expect(hostile.outputs.map((o) => o.name)).toEqual(clean.outputs.map((o) => o.name));
  expect(hostile.refused).toEqual(clean.refused);
  hostile.outputs.forEach((h, i) => {
    const c = clean.outputs[i]!;
    expect(codeLines(h), `${h.target} ${h.name}`).toEqual(codeLines(c));
    expect(readerProblems(hostile.ir, h)).toEqual([]);
    if (h.name.endsWith('.cmd')) {
      expect(readNetshScript(h.content).log).toEqual(readNetshScript(c.content).log);
      const commands = (t: string) => parseBatch(t).filter((s) => s.kind !== 'rem' && s.kind !== 'blank');
      expect(commands(h.content).length).toBe(commands(c.content).length);
    }
    if (h.name.endsWith('.pf.conf')) {
      const forward = h.firewall.placement.kind === 'gateway';
      expect(readPf(h.content, { forward }).tuples).toEqual(readPf(c.content, { forward }).tuples);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Validators, batched: one `nft -c` or `iptables-restore --test` call checks many files.

/**
 * `unshare -rn`: a private, empty network namespace (also as root), so nothing real is touched.
 * `-n` alone (root only) keeps root's netlink buffer sizes: through a user namespace nft cannot
 * enlarge its socket buffer, and a set of some 13,000 elements fails with "Message too long"
 * there although the same file loads as root.
 */
function inNamespace(argv: string[], input: string, cwd?: string, flags = '-rn'): string {
  const r = spawnSync('unshare', [flags, ...argv], { input, encoding: 'utf8', cwd, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  if (r.error) return `cannot run ${argv.join(' ')}: ${notRunnable('unshare', r.error)}`;
  return r.status === 0 ? '' : `${r.stderr}${r.stdout}`.trim() || `exit ${r.status}`;
}

type Kind = 'nft' | 'v4' | 'v6';
const COMMAND: Record<Kind, string[]> = {
  nft: ['nft', '-c', '-f', '-'],
  v4: ['iptables-restore', '--test'],
  v6: ['ip6tables-restore', '--test'],
};

export interface Pending {
  label: string;
  content: string;
  /** The firewall's .ipset file, when its iptables rules match sets: checked on its own, after `ipset restore`. */
  ipset?: string;
}

/**
 * Collects nft and iptables-restore files and checks them many at a time: nft files are
 * concatenated (each replaces its own table inside the one transaction), restore files merged
 * into one block (`mergeRestoreFiles`). A batch that fails is checked in halves down to the
 * single file, unmodified, so a complaint names the file.
 */
export class ValidatorBatch {
  private readonly pending: Record<Kind, Pending[]> = { nft: [], v4: [], v6: [] };
  checked = 0;
  calls = 0;

  /** Files per validator call (halved where a batch is refused); `unshare` flags (`-n` as root for large sets). */
  constructor(
    private readonly batchSize: Record<Kind, number> = { nft: 40, v4: 400, v6: 400 },
    private readonly unshareFlags = '-rn',
  ) {}

  /** Files seen, and how many of them were the same bytes as one seen before (checked once). */
  private readonly seen = new Set<string>();
  added = 0;

  add(kind: Kind, p: Pending): void {
    this.added++;
    const key = `${kind}\0${p.ipset ?? ''}\0${p.content}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.pending[kind].push(p);
  }

  /** Adds every nftables/iptables output of one compile. */
  addOutputs(label: string, outputs: readonly Output[]): void {
    const ipsetOf = (fw: string) => outputs.find((o) => o.firewall.name === fw && o.name.endsWith('.ipset'))?.content;
    for (const o of outputs) {
      const kind: Kind | undefined = o.name.endsWith('.nft') ? 'nft' : o.name.endsWith('.rules.v4') ? 'v4' : o.name.endsWith('.rules.v6') ? 'v6' : undefined;
      if (!kind) continue;
      const ipset = kind === 'nft' ? undefined : ipsetOf(o.firewall.name);
      this.add(kind, { label: `${label} ${o.name}`, content: o.content, ...(ipset ? { ipset } : {}) });
    }
  }

  /**
   * One validator call for a batch; when it fails, each half on its own (a batch may also be
   * refused as a whole for its size: nft's transaction must fit one netlink message).
   */
  private check(kind: Kind, batch: readonly Pending[]): string[] {
    this.calls++;
    const input = batch.length > 1 && kind !== 'nft' ? mergeRestoreFiles(batch.map((p) => p.content)) : batch.map((p) => (p.content.endsWith('\n') ? p.content : `${p.content}\n`)).join('');
    const complaint = inNamespace(COMMAND[kind], input, undefined, this.unshareFlags);
    if (complaint === '') return [];
    if (batch.length === 1) return [`${batch[0]!.label}: ${complaint.slice(0, 2000)}`];
    const half = Math.ceil(batch.length / 2);
    return [...this.check(kind, batch.slice(0, half)), ...this.check(kind, batch.slice(half))];
  }

  /** Checks everything pending; returns `label: complaint` for each file a validator refused. */
  run(): string[] {
    const problems: string[] = [];
    for (const kind of ['nft', 'v4', 'v6'] as const) {
      const list = this.pending[kind];
      this.pending[kind] = [];
      const alone = list.filter((p) => p.ipset);
      const batched = list.filter((p) => !p.ipset);
      const size = this.batchSize[kind];
      for (let i = 0; i < batched.length; i += size) problems.push(...this.check(kind, batched.slice(i, i + size)));
      for (const p of alone) {
        const dir = mkdtempSync(join(tmpdir(), 'msgrfw-hard-'));
        try {
          writeFileSync(join(dir, 'sets.ipset'), p.ipset!);
          this.calls++;
          const one = inNamespace(['sh', '-c', `ipset restore -exist < sets.ipset && ${COMMAND[kind].join(' ')}`], p.content, dir, this.unshareFlags);
          if (one) problems.push(`${p.label}: ${one.slice(0, 2000)}`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
      this.checked += list.length;
    }
    return problems;
  }
}

/**
 * Restore files as one `*filter … COMMIT` block: iptables-restore --test costs about 10 ms per
 * COMMIT, and nothing per rule. Each file's chains get a name of their own of the same length
 * (`MSGR-` becomes `M<3 base-36 digits>-`), so files of the same firewall do not collide;
 * every other line, comments included, is checked as written. A file that is not exactly one
 * `*filter … COMMIT` block is passed through as it is, so its own shape is checked too.
 */
export function mergeRestoreFiles(files: readonly string[]): string {
  const body: string[] = [];
  const whole: string[] = [];
  files.forEach((content, i) => {
    const lines = content.replace(/\n$/, '').split('\n');
    const code = lines.filter((l) => l !== '' && !l.startsWith('#'));
    if (code[0] !== '*filter' || code[code.length - 1] !== 'COMMIT' || code.filter((l) => l === '*filter' || l === 'COMMIT').length !== 2) {
      whole.push(content.endsWith('\n') ? content : `${content}\n`);
      return;
    }
    const tag = `M${i.toString(36).padStart(3, '0')}-`;
    for (const l of lines) if (l !== '*filter' && l !== 'COMMIT') body.push(l.startsWith('#') ? l : l.replaceAll('MSGR-', tag));
  });
  return `*filter\n${body.join('\n')}\nCOMMIT\n${whole.join('')}`;
}

/** Whether nft, iptables-restore, ip6tables-restore and `unshare -rn` work here. */
export function validatorsUsable(): { ok: true } | { ok: false; why: string } {
  const missing = missingTools(['nft', 'iptables-restore', 'ip6tables-restore', 'unshare']);
  if (missing) return { ok: false, why: missing };
  const probes: [Kind, string][] = [
    ['nft', 'table inet msgr_probe\ndelete table inet msgr_probe\n'],
    ['v4', '*filter\nCOMMIT\n'],
    ['v6', '*filter\nCOMMIT\n'],
  ];
  for (const [kind, input] of probes) {
    const why = inNamespace(COMMAND[kind], input);
    if (why) return { ok: false, why: `${COMMAND[kind].join(' ')} in unshare -rn: ${why.split('\n')[0]}` };
  }
  return { ok: true };
}
