/**
 * Text made of an IR set's CIDR lists, made once per run. The IR hands every firewall that uses
 * equal sets the same arrays (src/ir/build.ts), so a site set written by a hundred firewalls in
 * four targets is joined, checked and concatenated once, keyed by the array itself; the files
 * then share the joined text instead of each building its own copy.
 */

const joined = new WeakMap<readonly string[], Map<string, string>>();

/** `list.join(separator)`, once per list and separator. */
export function joinedOnce(list: readonly string[], separator: string): string {
  let bySeparator = joined.get(list);
  if (!bySeparator) joined.set(list, (bySeparator = new Map()));
  let text = bySeparator.get(separator);
  if (text === undefined) bySeparator.set(separator, (text = list.join(separator)));
  return text;
}

/** What an address of an IR list may be made of: its check keeps anything else out of a target's text. */
export const CIDR_TEXT = /^[0-9A-Fa-f:./]+$/;

const checked = new WeakMap<readonly string[], Set<RegExp>>();

/** The first item of `list` that `pattern` does not match; a list found clean is not read again. */
export function firstMismatch(list: readonly string[], pattern: RegExp): string | undefined {
  const clean = checked.get(list);
  if (clean?.has(pattern)) return undefined;
  const bad = list.find((item) => !pattern.test(item));
  if (bad === undefined) {
    if (clean) clean.add(pattern);
    else checked.set(list, new Set([pattern]));
  }
  return bad;
}

const concatenated = new WeakMap<readonly string[], WeakMap<readonly string[], readonly string[]>>();

/** `[...a, ...b]`, one array per pair of lists (so what is memoised by array, above, stays shared). */
export function concatOnce(a: readonly string[], b: readonly string[]): readonly string[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  let byB = concatenated.get(a);
  if (!byB) concatenated.set(a, (byB = new WeakMap()));
  let both = byB.get(b);
  if (!both) byB.set(b, (both = [...a, ...b]));
  return both;
}
