import type { IrFirewall } from '../ir/types.js';
import { chainName, crossChainName } from '../../targets/iptables/view.js';
import { nftTableName } from '../../targets/nftables/view.js';
import { expectedIptables, ipsetRestore, restoreNoflush, saveFilter, withoutLoadedJumps } from '../live/iptables.js';
import { checkNftFile, loadNftFile } from '../live/nftables.js';
import { ToolError } from '../live/run.js';
import { artefactSets, nftRestoreFile, takeIptablesSnapshot, takeNftSnapshot, type Snapshot } from './snapshot.js';

/** What apply does for each target: check the artefacts, snapshot what they replace, apply them. */
export type LiveTarget = 'nftables' | 'iptables';

const name = (fw: IrFirewall, ext: string) => `${fw.name}.${ext}`;

/**
 * The native dry run: `nft -c -f` here (the kernel checks every object, nothing is committed);
 * for iptables the sets and both families' rules in a private network namespace
 * (`iptables-restore --test` needs the sets to exist, and this machine's must not change before
 * the snapshot), then loaded there for real, which checks what --test does not (chains a jump
 * names). A problem is returned as text; nothing here changes this machine's rules.
 */
export function dryRun(target: LiveTarget, fw: IrFirewall, files: Map<string, string>): string | undefined {
  if (target === 'nftables') return checkNftFile(files.get(name(fw, 'nft'))!);
  try {
    const ipset = files.get(name(fw, 'ipset'));
    expectedIptables({ v4: files.get(name(fw, 'rules.v4'))!, v6: files.get(name(fw, 'rules.v6'))!, ...(ipset !== undefined ? { ipset } : {}) });
    return undefined;
  } catch (e) {
    if (e instanceof ToolError) return e.message;
    throw e;
  }
}

export const iptablesChains = (fw: IrFirewall) => [chainName(fw, 'input'), chainName(fw, 'output'), chainName(fw, 'forward'), crossChainName(fw)];

export function takeSnapshot(target: LiveTarget, fw: IrFirewall, files: Map<string, string>): Snapshot {
  if (target === 'nftables') return takeNftSnapshot(nftTableName(fw));
  return takeIptablesSnapshot(iptablesChains(fw), artefactSets(files.get(name(fw, 'ipset'))));
}

/**
 * The artefacts, exactly as compile writes them, applied as their headers document: nftables in
 * one transaction (`nft -f`); iptables the sets first, then each family's file with the jumps
 * already loaded left out (`--noflush`, one transaction per family).
 */
export function applyArtefacts(target: LiveTarget, fw: IrFirewall, files: Map<string, string>): void {
  if (target === 'nftables') {
    loadNftFile(files.get(name(fw, 'nft'))!);
    return;
  }
  const ipset = files.get(name(fw, 'ipset'));
  if (ipset !== undefined) ipsetRestore(ipset);
  for (const family of [4, 6] as const) restoreNoflush(family, withoutLoadedJumps(files.get(name(fw, `rules.v${family}`))!, saveFilter(family)));
}

/** Files an administrator can load by hand to go back to the rules from before the apply (see the README). */
export function beforeFiles(s: Snapshot): Record<string, string> {
  if (s.target === 'nftables') return { 'before.nft': nftRestoreFile(s) };
  return {
    'before.rules.v4': s.families[4].save,
    'before.rules.v6': s.families[6].save,
    'before.ipset': s.sets.map((x) => x.save ?? '').join(''),
  };
}
