/**
 * Fitting one IR rule into `netsh advfirewall firewall add rule` command lines.
 *
 * cmd.exe reads at most 8,191 characters per command line (KB 830473): past it the line is cut
 * and the command fails, after the script has already deleted the old rules. A rule's lists
 * (local and remote addresses, local and remote ports) are therefore cut into chunks, and since
 * a netsh rule matches the product of its lists and Windows Firewall has no address sets, the
 * rule becomes one command per combination of chunks. Each list gets an equal share of the line
 * (a list that needs less than its share takes only what it needs and leaves the rest to the
 * others): with the line's budget fixed, equal shares make the product of the chunk counts
 * smallest.
 *
 * Every list stays within what Windows Firewall accepts in one rule: at most 1,000 entries per
 * list are reported to work. A line of 7,800 characters holds fewer than 1,000 of even the
 * shortest address (`1.2.3.4,`, 8 characters), but more of short ports (`1,3,5,…`), so a chunk
 * also ends at its 1,000th entry.
 */

/** The most entries one list of a netsh rule holds. */
export const MAX_LIST_ENTRIES = 1000;

/** A command line's length: below cmd.exe's 8,191 characters, with room to spare. */
export const MAX_COMMAND = 7800;

/** One list of a rule: its keyword (`remoteip`) and items, each as written (`10.0.0.0/8`, `5060-5061`). */
export interface RuleList {
  key: 'localip' | 'remoteip' | 'localport' | 'remoteport';
  items: readonly string[];
}

/** How one rule is written: its chunks per list, and the commands and characters that makes. */
export interface SplitPlan {
  lists: { key: RuleList['key']; items: number; chunks: string[] }[];
  commands: number;
  chars: number;
}

/** Joined length of a list: items and the commas between them. */
const joinedLength = (items: readonly string[]) => items.reduce((n, s) => n + s.length, 0) + Math.max(0, items.length - 1);

/**
 * Shares of `budget` characters for lists of the given joined lengths: lists that fit an equal
 * share take what they need, the others split what is left equally.
 */
export function shareBudget(lengths: readonly number[], budget: number): number[] {
  const shares = lengths.map(() => 0);
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]!);
  let remaining = budget;
  order.forEach((i, k) => {
    const fair = Math.floor(remaining / (order.length - k));
    shares[i] = Math.min(lengths[i]!, fair);
    remaining -= shares[i]!;
  });
  return shares;
}

/**
 * Items joined with `,`, cut so that no chunk is longer than `share` (an item longer than that
 * stands alone) nor holds more than MAX_LIST_ENTRIES items.
 */
export function chunkList(items: readonly string[], share: number): string[] {
  let byShare = chunked.get(items);
  if (!byShare) chunked.set(items, (byShare = new Map()));
  const known = byShare.get(share);
  if (known) return known;
  const out: string[] = [];
  let start = 0;
  let length = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (i > start && (length + 1 + item.length > share || i - start === MAX_LIST_ENTRIES)) {
      out.push(items.slice(start, i).join(','));
      start = i;
      length = 0;
    }
    length += (i > start ? 1 : 0) + item.length;
  }
  if (items.length > start) out.push(items.slice(start).join(','));
  byShare.set(share, out);
  return out;
}

/**
 * Chunks per list and share: the rules of a firewall name the same few large sets, each chunked
 * alike (plan.ts hands the same list to every rule). A chunk is joined in one go, a flat string,
 * not grown item by item (a rope of thousands of pieces, several times the memory).
 */
const chunked = new WeakMap<readonly string[], Map<number, string[]>>();

/**
 * The chunks of each list for a command whose other text (`base`) is fixed, and what writing
 * every combination costs: `perCommand` characters besides the line itself (line end, error check).
 */
export function planSplit(base: number, lists: readonly RuleList[], perCommand: number): SplitPlan {
  // Each list adds ` key=` and its chunk to the line.
  const budget = MAX_COMMAND - base - lists.reduce((n, l) => n + l.key.length + 2, 0);
  const shares = shareBudget(lists.map((l) => joinedLength(l.items)), budget);
  const split = lists.map((l, i) => ({ key: l.key, items: l.items.length, chunks: chunkList(l.items, shares[i]!) }));
  const commands = split.reduce((n, l) => n * l.chunks.length, 1);
  // Each chunk of a list appears in commands / (its chunk count) commands.
  let chars = commands * (base + perCommand + lists.reduce((n, l) => n + l.key.length + 2, 0));
  for (const l of split) chars += l.chunks.reduce((n, c) => n + c.length, 0) * (commands / l.chunks.length);
  return { lists: split, commands, chars };
}

/** Every combination of one chunk per list, in order (the first list varies slowest). */
export function* combinations(plan: SplitPlan): Generator<{ key: string; chunk: string }[]> {
  const index = plan.lists.map(() => 0);
  if (plan.lists.some((l) => l.chunks.length === 0)) return;
  for (;;) {
    yield plan.lists.map((l, i) => ({ key: l.key, chunk: l.chunks[index[i]!]! }));
    let k = plan.lists.length - 1;
    while (k >= 0 && ++index[k]! === plan.lists[k]!.chunks.length) index[k--] = 0;
    if (k < 0) return;
  }
}
