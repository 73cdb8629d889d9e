// A generated policy with many client networks: the case the ipset sets are for. Shared by
// the iptables target's unit and tool tests and by test/kernel/ipset.test.ts.
//
// Client network i (0 ≤ i < n) is 10.<i/128>.<2·(i%128)>.0/24 and 2001:db8:<2i in hex>::/48:
// every other /24 and /48, so no two of them merge into a shorter block and the odd ones in
// between (`gapV4`, `gapV6`) are addresses close to the set that are not in it.
import { compilePolicy } from '../../../src/compile.js';
import type { IrDocument } from '../../../src/ir/types.js';
import { emitTargets } from '../../../targets/emit.js';
import type { Artefact } from '../../../targets/target.js';

export const clientV4 = (i: number) => `10.${i >> 7}.${(i & 127) * 2}.0/24`;
export const clientV6 = (i: number) => `2001:db8:${(2 * i).toString(16)}::/48`;
/** The /24 and /48 just above client network i: in no network of the policy. */
export const gapV4 = (i: number) => `10.${i >> 7}.${(i & 127) * 2 + 1}.0/24`;
export const gapV6 = (i: number) => `2001:db8:${(2 * i + 1).toString(16)}::/48`;

export const PARTNERS_V4 = '198.51.100.0/24';
export const PARTNERS_V6 = '2001:db8:f100::/48';

export interface LargePolicyOptions {
  networks: number;
  /** Client networks (by index) to leave out: a changed policy. */
  without?: readonly number[];
}

/**
 * contoso's shape with `networks` dual-stack client networks: a gateway `edge` between clients
 * and partners (peer-to-peer features both ways: the client set is a source in one rule and a
 * destination in the other), a host firewall `desktop` on the clients, and `lcs-host`.
 */
export function largePolicy({ networks, without = [] }: LargePolicyOptions): string {
  const skip = new Set(without);
  const idx = Array.from({ length: networks }, (_, i) => i).filter((i) => !skip.has(i));
  return `# generated: ${networks} client networks
deployment large {
  description "generated: ${idx.length} client networks"
  network clients  = ${[...idx.map(clientV4), ...idx.map(clientV6)].join(', ')}
  network lcs      = 10.250.1.10, 2001:db8:ffff::10
  network partners = ${PARTNERS_V4}, ${PARTNERS_V6}
  network admins   = 10.251.0.0/24
  network peers    = clients, partners

  server lcs {
    sip tls
  }

  clients clients {
    server lcs via tls
    features im, presence, whiteboard, file-transfer, audio
    media ports 50000-50039
    peers peers
  }

  firewall edge {
    between clients and partners
    targets iptables
    default deny
    log denied
  }

  firewall desktop {
    on clients
    targets iptables
    default deny
    allow tcp 22 from admins
  }

  firewall lcs-host {
    on lcs
    targets iptables
    default deny
  }
}
`;
}

export function compileLarge(opts: LargePolicyOptions): IrDocument {
  const r = compilePolicy(largePolicy(opts), 'large.msgr');
  if (!r.ir) throw new Error(`large.msgr does not compile:\n${r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('\n')}`);
  return r.ir;
}

/** Every iptables artefact of the generated policy, by firewall, through emitTargets as the CLI does. */
export function largeArtefacts(opts: LargePolicyOptions): Map<string, Artefact[]> {
  const { files, problems } = emitTargets(compileLarge(opts), { target: 'iptables' });
  if (problems.length) throw new Error(problems.map((p) => `${p.firewall.name}: ${p.message}`).join('\n'));
  const out = new Map<string, Artefact[]>();
  for (const f of files) out.set(f.firewall.name, [...(out.get(f.firewall.name) ?? []), f.artefact]);
  return out;
}

/**
 * How many kernel rules an iptables-restore file becomes: iptables expands a comma-separated
 * `-s`/`-d` list into one rule per address, and both lists of a line multiply.
 */
export function kernelRuleCount(content: string): number {
  let n = 0;
  for (const l of content.split('\n')) {
    if (!l.startsWith('-A ')) continue;
    const count = (flag: string) => new RegExp(` ${flag} (\\S+)`).exec(l)?.[1]?.split(',').length ?? 1;
    n += count('-s') * count('-d');
  }
  return n;
}
