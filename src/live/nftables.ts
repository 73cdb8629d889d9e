import { mustRun, runTool, ToolError, firstLines } from './run.js';
import { privateNamespace } from './namespace.js';

/**
 * nftables on this machine, in the network namespace msgrfw runs in: one firewall is one table,
 * `table inet msgr_<firewall>`, and nothing here reads or writes any other table.
 */
export interface NftListing {
  /** `nft -j list table inet NAME`: what the readers read. */
  json: string;
  /** `nft -a list table inet NAME`: the rules as nft prints them, with their handles. */
  text: string;
}

/** Whether the table exists (from the list of tables, not from an error message). */
export function nftTableExists(table: string): boolean {
  const doc = JSON.parse(mustRun(['nft', '-j', 'list', 'tables'])) as { nftables: Record<string, { family?: string; name?: string }>[] };
  return doc.nftables.some((o) => o.table?.family === 'inet' && o.table.name === table);
}

/** The live table, or undefined when it does not exist. */
export function listNftTable(table: string): NftListing | undefined {
  if (!nftTableExists(table)) return undefined;
  return { json: mustRun(['nft', '-j', 'list', 'table', 'inet', table]), text: mustRun(['nft', '-a', 'list', 'table', 'inet', table]) };
}

const MARK = '#msgrfw-listing-ends-here';

/**
 * What the kernel makes of an artefact: loaded into a private, empty network namespace and listed
 * there, so it reads exactly as the live table would had the artefact just been applied (the
 * kernel's own normal form). This machine's rules are not touched.
 */
export function expectedNftTable(artefact: string, table: string): NftListing {
  const script = `nft -f /dev/stdin && nft -j list table inet "$1" && echo '${MARK}' && nft -a list table inet "$1"`;
  const out = privateNamespace(['sh', '-c', script, 'sh', table], artefact, 'load the policy\'s nftables rules into a private network namespace to list them');
  const at = out.indexOf(`${MARK}\n`);
  if (at < 0) throw new ToolError('listing the policy\'s table in a private network namespace printed no end mark');
  return { json: out.slice(0, at), text: out.slice(at + MARK.length + 1) };
}

/** `nft -c -f -`: the kernel checks the file (every object it names) without committing anything. */
export function checkNftFile(text: string): string | undefined {
  const r = runTool(['nft', '-c', '-f', '-'], text);
  return r.code === 0 ? undefined : firstLines(r.stderr || r.stdout, 20);
}

/** `nft -f -`: one transaction, all or nothing. */
export function loadNftFile(text: string): void {
  mustRun(['nft', '-f', '-'], text);
}

/** The table as `nft list table` prints it (without handles): what a snapshot keeps. */
export function nftTableText(table: string): string | undefined {
  return nftTableExists(table) ? mustRun(['nft', 'list', 'table', 'inet', table]) : undefined;
}

/**
 * `nft -a list table`'s rules by chain and handle, as printed (comment included, handle cut off):
 * how a report names a live rule.
 */
export function nftRuleTexts(listing: string): Map<string, string> {
  const out = new Map<string, string>();
  let chain: string | undefined;
  for (const raw of listing.split('\n')) {
    const line = raw.trim();
    const open = /^chain (\S+) \{/.exec(line);
    if (open) chain = open[1];
    else if (line === '}') chain = undefined;
    const handle = / # handle (\d+)$/.exec(line);
    if (chain && handle && !open) out.set(`${chain} ${handle[1]}`, line.slice(0, handle.index));
  }
  return out;
}
