import { randomBytes } from 'node:crypto';
import { splitSaveLine } from '../../targets/iptables/reader.js';
import { ipsetRestore, ipsetSaveOne, restoreNoflush, saveFilter, testRestore, type Family } from '../live/iptables.js';
import { checkNftFile, loadNftFile, nftTableText } from '../live/nftables.js';
import { ToolError } from '../live/run.js';

/**
 * Exactly what applying a firewall replaces, taken before it is applied, and how to put it back.
 * nftables: the firewall's table (or that there was none). iptables: in each family the
 * firewall's four chains (their rules, or that they did not exist) and every jump into them
 * from a built-in chain with its position, and the ipset sets the artefact fills. Nothing else
 * is read back into the kernel: other tables, chains, rules and sets are never touched.
 */
export type Snapshot = NftSnapshot | IptablesSnapshot;

export interface NftSnapshot {
  target: 'nftables';
  table: string;
  /** `nft list table inet NAME`; absent when the table did not exist. */
  text?: string;
}

export interface IptablesSnapshot {
  target: 'iptables';
  /** The firewall's chains, MSGR-<id>-IN/-OUT/-FWD/-CROSS. */
  chains: string[];
  families: Record<Family, FamilySnapshot>;
  /** The artefact's sets, each with its `ipset save` (absent: the set did not exist). */
  sets: { name: string; save?: string }[];
}

export interface FamilySnapshot {
  /** The whole `iptables-save -t filter`, for a rollback by hand. */
  save: string;
  /** Each chain's `-A` lines; absent when the chain did not exist. */
  chains: Record<string, string[] | undefined>;
  /** Jumps into the chains from built-in chains: the chain, the 1-based position, the `-A` line. */
  jumps: { chain: string; position: number; line: string }[];
}

const BUILTIN = ['INPUT', 'FORWARD', 'OUTPUT'];

export function takeNftSnapshot(table: string): NftSnapshot {
  const text = nftTableText(table);
  return { target: 'nftables', table, ...(text !== undefined ? { text } : {}) };
}

/** An nft file that makes the table what the snapshot says, in one transaction. */
export function nftRestoreFile(s: NftSnapshot): string {
  return `# msgrfw: table inet ${s.table} as it was before msgrfw apply${s.text === undefined ? ' (there was none)' : ''}\ntable inet ${s.table}\ndelete table inet ${s.table}\n${s.text ?? ''}`;
}

/** The sets an iptables `.ipset` artefact fills: each `swap TWIN LIVE` names the live one. */
export function artefactSets(ipset: string | undefined): string[] {
  return (ipset ?? '').split('\n').flatMap((l) => {
    const w = l.trim().split(/\s+/);
    return w[0] === 'swap' && w[2] ? [w[2]] : [];
  });
}

interface SaveLine {
  chain: string;
  target?: string;
  line: string;
}

function saveLines(save: string): SaveLine[] {
  let table: string | undefined;
  const out: SaveLine[] = [];
  for (const raw of save.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) table = line.slice(1);
    if (table !== 'filter' || !line.startsWith('-A ')) continue;
    const w = splitSaveLine(line);
    const j = w.findIndex((x) => x === '-j' || x === '--jump' || x === '-g' || x === '--goto');
    out.push({ chain: w[1]!, line, ...(j >= 0 ? { target: w[j + 1] } : {}) });
  }
  return out;
}

const declared = (save: string, chain: string) => save.split('\n').some((l) => l.trim().startsWith(`:${chain} `));

function familySnapshot(save: string, chains: string[]): FamilySnapshot {
  const lines = saveLines(save);
  const out: FamilySnapshot = { save, chains: {}, jumps: [] };
  for (const c of chains) out.chains[c] = declared(save, c) ? lines.filter((l) => l.chain === c).map((l) => l.line) : undefined;
  for (const b of BUILTIN) {
    lines
      .filter((l) => l.chain === b)
      .forEach((l, i) => {
        if (l.target && chains.includes(l.target)) out.jumps.push({ chain: b, position: i + 1, line: l.line });
      });
  }
  return out;
}

export function takeIptablesSnapshot(chains: string[], sets: string[]): IptablesSnapshot {
  return {
    target: 'iptables',
    chains,
    families: { 4: familySnapshot(saveFilter(4), chains), 6: familySnapshot(saveFilter(6), chains) },
    sets: sets.map((name) => {
      const save = ipsetSaveOne(name);
      return { name, ...(save !== undefined ? { save } : {}) };
    }),
  };
}

/**
 * The restore input that turns the family's current filter table (`now`) into the snapshot's,
 * for the firewall's chains and jumps only: the jumps into them leave their built-in chains,
 * chains the snapshot has are emptied and refilled with its rules, chains it has not are
 * removed, and its jumps go back to their positions. One `--noflush` transaction.
 */
export function iptablesRestoreText(s: IptablesSnapshot, family: Family, now: string): string {
  const snap = s.families[family];
  const lines = saveLines(now);
  const out = ['*filter'];
  const present = s.chains.filter((c) => declared(now, c) || snap.chains[c] !== undefined);
  for (const c of present) out.push(`:${c} - [0:0]`);
  for (const b of BUILTIN) {
    const positions = lines
      .filter((l) => l.chain === b)
      .map((l, i) => (l.target && s.chains.includes(l.target) ? i + 1 : 0))
      .filter((p) => p > 0);
    for (const p of positions.reverse()) out.push(`-D ${b} ${p}`);
  }
  for (const c of present) if (snap.chains[c] === undefined) out.push(`-X ${c}`);
  for (const c of s.chains) out.push(...(snap.chains[c] ?? []));
  for (const b of BUILTIN) {
    const length = lines.filter((l) => l.chain === b && !(l.target && s.chains.includes(l.target))).length;
    snap.jumps
      .filter((j) => j.chain === b)
      .sort((x, y) => x.position - y.position)
      .forEach((j, k) => out.push(`-I ${b} ${Math.min(j.position, length + k + 1)} ${j.line.slice(`-A ${b} `.length)}`));
  }
  out.push('COMMIT', '');
  return out.join('\n');
}

/** `ipset restore` input that gives each snapshot set its members back (atomically, by a swap), or creates it. */
function ipsetRefill(s: IptablesSnapshot): string {
  const out: string[] = [];
  for (const set of s.sets) {
    if (set.save === undefined) continue;
    const lines = set.save.split('\n').filter((l) => l.trim());
    const exists = ipsetSaveOne(set.name) !== undefined;
    if (!exists) {
      out.push(...lines);
      continue;
    }
    const twin = `msgrfw-rb-${randomBytes(4).toString('hex')}`;
    const rename = (l: string) => l.replace(/^(create|add) \S+/, `$1 ${twin}`);
    out.push(...lines.map(rename), `swap ${twin} ${set.name}`, `destroy ${twin}`);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** Checks, without changing anything, that the snapshot can be put back: a rollback must not fail for its own input. */
export function checkRestorable(s: Snapshot): string | undefined {
  if (s.target === 'nftables') return checkNftFile(nftRestoreFile(s));
  for (const family of [4, 6] as const) {
    const problem = testRestore(family, iptablesRestoreText(s, family, saveFilter(family)));
    if (problem) return `${family === 4 ? 'iptables' : 'ip6tables'}-restore --test: ${problem}`;
  }
  return undefined;
}

/**
 * Puts the snapshot back. iptables: the sets first (their old members, or themselves if gone),
 * then each family's chains and jumps, then the sets that did not exist before (no rule of the
 * firewall names them any more). Every step is tried even when one fails; the first failure is
 * thrown at the end, naming what could not be restored.
 */
export function restoreSnapshot(s: Snapshot): void {
  if (s.target === 'nftables') {
    loadNftFile(nftRestoreFile(s));
    return;
  }
  const failures: string[] = [];
  const step = (what: string, f: () => void) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof ToolError)) throw e;
      failures.push(`${what}: ${e.message}`);
    }
  };
  const refill = ipsetRefill(s);
  if (refill) step('the ipset sets', () => ipsetRestore(refill));
  for (const family of [4, 6] as const) step(`the ${family === 4 ? 'iptables' : 'ip6tables'} chains`, () => restoreNoflush(family, iptablesRestoreText(s, family, saveFilter(family))));
  const created = s.sets.filter((x) => x.save === undefined && ipsetSaveOne(x.name) !== undefined).map((x) => `destroy ${x.name}`);
  if (created.length) step('the sets the apply created', () => ipsetRestore(`${created.join('\n')}\n`));
  if (failures.length) throw new ToolError(`could not restore ${failures.join('; ')}`);
}
