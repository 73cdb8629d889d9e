// What an `ipset restore` of one of our .ipset files leaves behind, computed from the text:
// create (-exist: keep an existing set), flush, add, swap, destroy — the commands the iptables
// target writes. Anything else is an error, not a guess.

/** Set name → members (in the order added), after running the file on an empty ipset state. */
export function ipsetFileResult(text: string): Map<string, string[]> {
  const sets = new Map<string, string[]>();
  const must = (name: string, line: string) => {
    const s = sets.get(name);
    if (!s) throw new Error(`ipset file: ${line}: no set ${name}`);
    return s;
  };
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [cmd, name, ...rest] = line.split(' ');
    if (!name) throw new Error(`ipset file: ${line}: no set name`);
    if (cmd === 'create') {
      if (!sets.has(name)) sets.set(name, []);
    } else if (cmd === 'flush') {
      must(name, line).length = 0;
    } else if (cmd === 'add') {
      must(name, line).push(rest[0]!);
    } else if (cmd === 'swap') {
      const other = rest[0]!;
      const a = must(name, line);
      const b = must(other, line);
      sets.set(name, b);
      sets.set(other, a);
    } else if (cmd === 'destroy') {
      must(name, line);
      sets.delete(name);
    } else throw new Error(`ipset file: ${line}: unexpected command ${cmd}`);
  }
  return sets;
}
