import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateNamespace } from './namespace.js';
import { firstLines, mustRun, runTool, ToolError } from './run.js';

/**
 * iptables on this machine: the filter table of each family as `iptables-save` prints it, and the
 * ipset sets (`ipset save`). msgrfw reads all of it but writes only its own chains, its jumps and
 * its sets.
 */
export type Family = 4 | 6;

export const saveTool = (f: Family) => (f === 4 ? 'iptables-save' : 'ip6tables-save');
export const restoreTool = (f: Family) => (f === 4 ? 'iptables-restore' : 'ip6tables-restore');

/** An empty filter table: what a family that has never been used lists as. */
const EMPTY_FILTER = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n';

/** `iptables-save -t filter` of one family (an empty table when the family has none yet). */
export function saveFilter(family: Family): string {
  const out = mustRun([saveTool(family), '-t', 'filter']);
  return /^\*filter$/m.test(out) ? out : EMPTY_FILTER;
}

/** `ipset save`; empty when ipset is not installed and the firewall uses no set. */
export function ipsetSave(needed: boolean): string {
  try {
    return mustRun(['ipset', 'save']);
  } catch (e) {
    if (!needed && e instanceof ToolError && /not found on PATH/.test(e.message)) return '';
    throw e;
  }
}

export interface IptablesState {
  v4: string;
  v6: string;
  ipset: string;
}

/** The live state: both families' filter tables and the sets. */
export function liveIptables(usesSets: boolean): IptablesState {
  return { v4: saveFilter(4), v6: saveFilter(6), ipset: ipsetSave(usesSets) };
}

const MARK = '#msgrfw-listing-ends-here';

/**
 * What the kernel makes of the artefacts: the sets, then each family's rules applied as the
 * header documents (`--noflush`), into a private, empty network namespace, and saved there.
 */
export function expectedIptables(files: { v4: string; v6: string; ipset?: string }): IptablesState {
  const dir = mkdtempSync(join(tmpdir(), 'msgrfw-'));
  try {
    writeFileSync(join(dir, 'v4'), files.v4);
    writeFileSync(join(dir, 'v6'), files.v6);
    if (files.ipset !== undefined) writeFileSync(join(dir, 'ipset'), files.ipset);
    const script = [
      'set -e',
      'd="$1"',
      '[ ! -e "$d/ipset" ] || ipset restore -exist < "$d/ipset"',
      // The native dry run first (it needs the sets: -m set looks them up even under --test), then the load itself.
      'iptables-restore -w --test --noflush < "$d/v4"',
      'ip6tables-restore -w --test --noflush < "$d/v6"',
      'iptables-restore -w --noflush < "$d/v4"',
      'ip6tables-restore -w --noflush < "$d/v6"',
      'iptables-save -t filter',
      `echo '${MARK}'`,
      'ip6tables-save -t filter',
      `echo '${MARK}'`,
      '[ ! -e "$d/ipset" ] || ipset save',
    ].join('\n');
    const out = privateNamespace(['sh', '-c', script, 'sh', dir], '', "load the policy's iptables rules into a private network namespace to list them");
    const [v4, v6, ipset] = out.split(`${MARK}\n`);
    if (ipset === undefined) throw new ToolError('listing the policy\'s iptables rules in a private network namespace printed no end marks');
    return { v4: /^\*filter$/m.test(v4!) ? v4! : EMPTY_FILTER, v6: /^\*filter$/m.test(v6!) ? v6! : EMPTY_FILTER, ipset };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `iptables-restore -w --noflush` of one family: one transaction, all or nothing. */
export function restoreNoflush(family: Family, text: string): void {
  mustRun([restoreTool(family), '-w', '--noflush'], text);
}

/** `iptables-restore --test --noflush`: parsed and checked against the live table, nothing committed. */
export function testRestore(family: Family, text: string): string | undefined {
  const r = runTool([restoreTool(family), '-w', '--test', '--noflush'], text);
  return r.code === 0 ? undefined : firstLines(r.stderr || r.stdout, 20);
}

/** `ipset restore -exist`. */
export function ipsetRestore(text: string): void {
  mustRun(['ipset', 'restore', '-exist'], text);
}

/** `ipset save NAME`, or undefined when there is no such set. */
export function ipsetSaveOne(name: string): string | undefined {
  const r = runTool(['ipset', 'save', name]);
  if (r.code === 0) return r.stdout;
  if (/does not exist/.test(r.stderr)) return undefined;
  throw new ToolError(`ipset save ${name} failed (exit ${r.code}): ${firstLines(r.stderr)}`);
}

/**
 * The documented apply command's filter (`iptables-save -t filter | sed -n 's/^-A /-I /p' | grep
 * -vxFf - FILE`): the artefact without the jump lines already loaded, so applying it again adds
 * no second jump.
 */
export function withoutLoadedJumps(artefact: string, liveSave: string): string {
  const loaded = new Set(liveSave.split('\n').filter((l) => l.startsWith('-A ')).map((l) => `-I ${l.slice(3)}`));
  return artefact
    .split('\n')
    .filter((l) => !loaded.has(l))
    .join('\n');
}
