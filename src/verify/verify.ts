import { join } from 'node:path';
import type { Work } from '../addresses/boxes.js';
import { readJson, stateDir, STATE_FILES, type Pending } from '../apply/state.js';
import type { PolicyVersion } from '../diff/diff.js';
import { firewallView } from '../evaluate/view.js';
import type { IrDocument, IrFirewall, IrTarget } from '../ir/types.js';
import { emitTargets } from '../../targets/emit.js';
import { nftTableName } from '../../targets/nftables/view.js';
import { expectedIptables, liveIptables as readLiveIptables } from '../live/iptables.js';
import { expectedNftTable, listNftTable } from '../live/nftables.js';
import { verifyFirewall, type VerifyReport } from './compare.js';
import { liveIptables } from './iptables.js';
import type { LiveFirewall } from './model.js';
import { liveNftables } from './nftables.js';
import { liveNetsh, parseNetshDump } from './netsh.js';
import { livePf, parsePfDump } from './pf.js';
import { parsePf } from '../../targets/pf/reader.js';
import { readNetshScript } from '../../targets/netsh/reader.js';
import { netshRuleName } from '../../targets/netsh/view.js';
import { VerifyTrouble } from './regions.js';

/** The artefacts compile writes for one firewall and target, by file name; trouble when the target refuses it. */
export function artefactsOf(ir: IrDocument, fw: IrFirewall, target: IrTarget): Map<string, string> {
  const emitted = emitTargets(ir, { firewall: fw.name, target });
  const refused = emitted.problems[0];
  if (refused) throw new VerifyTrouble(`target ${target} cannot express firewall ${fw.name} (MSGR060): ${refused.message}`);
  return new Map(emitted.files.map((f) => [f.artefact.name, f.artefact.content]));
}

/** The live firewall of this machine (its network namespace) for nftables or iptables. */
export function readLiveFirewall(ir: IrDocument, fw: IrFirewall, target: 'nftables' | 'iptables'): LiveFirewall {
  const live = readLive(ir, fw, target);
  const pending = readJson<Pending>(join(stateDir(fw.name, target), STATE_FILES.pending));
  if (pending) live.findings.push({ kind: 'pending', message: `an apply of this firewall (${pending.since}, ${pending.apply.command}) is waiting for its confirmation: the live rules may still be rolled back` });
  return live;
}

function readLive(ir: IrDocument, fw: IrFirewall, target: 'nftables' | 'iptables'): LiveFirewall {
  const files = artefactsOf(ir, fw, target);
  if (target === 'nftables') {
    const table = nftTableName(fw);
    return liveNftables(fw, listNftTable(table), expectedNftTable(files.get(`${fw.name}.nft`)!, table));
  }
  const ipset = files.get(`${fw.name}.ipset`);
  const expected = expectedIptables({ v4: files.get(`${fw.name}.rules.v4`)!, v6: files.get(`${fw.name}.rules.v6`)!, ...(ipset !== undefined ? { ipset } : {}) });
  return liveIptables(fw, readLiveIptables(ipset !== undefined), expected);
}

/**
 * A pf or Windows Firewall read from a saved dump (the README's capture commands), held
 * against the artefact compile writes for it.
 */
export function readDumpedFirewall(ir: IrDocument, fw: IrFirewall, target: 'pf' | 'netsh', dump: string): LiveFirewall {
  const files = artefactsOf(ir, fw, target);
  if (target === 'pf') return livePf(fw, parsePfDump(dump), parsePf(files.get(`${fw.name}.pf.conf`)!));
  return liveNetsh(netshRuleName(ir, fw), parseNetshDump(dump), readNetshScript(files.get(`${fw.name}.cmd`)!).rules);
}

/** Verifies one firewall of a compiled policy against the live firewall read by `read`. */
export function verifyPolicy(p: PolicyVersion, firewall: string, target: IrTarget, live: LiveFirewall, work: Work): VerifyReport {
  const fw = p.ir.firewalls.find((f) => f.name === firewall)!;
  return verifyFirewall(p, firewallView(fw), target, live, work);
}
