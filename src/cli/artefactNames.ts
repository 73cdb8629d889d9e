import { basename } from 'node:path';

/** An artefact a compile would write, with the firewall and policy file it belongs to. */
export interface NamedArtefact {
  /** `<firewall>.<kind>`, e.g. `wan.rules.v6`. */
  name: string;
  firewall: string;
  policy: string;
}

/** The kind of an artefact: its name after `<firewall>.` (`nft`, `rules.v6`, `ipset`, `pf.conf`, …). */
const kindOf = (a: NamedArtefact): string => a.name.slice(a.firewall.length + 1);

/**
 * Which artefact `-o PATH` writes. One artefact: that one, whatever the path. Several (iptables
 * writes `.rules.v4` and `.rules.v6`, netsh `.cmd` and `.reg`): the one the file name names,
 * either whole (`wan.rules.v6`) or by its kind at the end (`/etc/iptables/rules.v6`,
 * `edge-v6.rules.v6`). Anything else, stdout included, is a usage error that lists the choice.
 */
export function artefactForOutput<T extends NamedArtefact>(artefacts: readonly T[], output: string): { ok: true; artefact: T } | { ok: false; problem: string } {
  if (artefacts.length === 1) return { ok: true, artefact: artefacts[0]! };
  const name = basename(output);
  const whole = artefacts.filter((a) => a.name === name);
  const byKind = artefacts.filter((a) => name === kindOf(a) || name.endsWith(`.${kindOf(a)}`));
  const [chosen, ...more] = whole.length ? whole : byKind;
  if (output !== '-' && chosen && more.length === 0) return { ok: true, artefact: chosen };
  const names = artefacts.map((a) => a.name).join(', ');
  if (artefacts.length === 0) return { ok: false, problem: '-o needs exactly one artefact, but this selection has none' };
  const why = output === '-' ? 'stdout takes one' : more.length ? `the name ${name} fits ${[chosen, ...more].map((a) => a!.name).join(' and ')}` : `the name ${name} names none of them`;
  return {
    ok: false,
    problem: `-o needs exactly one artefact, but this selection has ${artefacts.length}: ${names} (${why}); narrow it with -t and -f, name the file after the one you want (-o ${artefacts[artefacts.length - 1]!.name}), or use --out-dir`,
  };
}

/**
 * Two policies compiled into one directory must not write the same file: the first such name
 * and the policies that both write it, or undefined.
 */
export function collidingArtefact(artefacts: readonly NamedArtefact[]): string | undefined {
  const seen = new Map<string, NamedArtefact>();
  for (const a of artefacts) {
    const first = seen.get(a.name);
    if (first) {
      return first.policy === a.policy
        ? `${a.policy} is given twice: it would write ${a.name} twice`
        : `${first.policy} and ${a.policy} would both write ${a.name} (both have a firewall named ${a.firewall}); compile them into separate --out-dir directories, or rename one firewall`;
    }
    seen.set(a.name, a);
  }
  return undefined;
}
