// The ipset file and the rules that use its sets, applied in a real network namespace next to
// rules that are not ours, with the commands the headers document: sets first, twice, then a
// changed policy, then the documented removal. Each installed iptables backend is tried.
// Packets through these rules: test/kernel/ipset.test.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Artefact } from '../../../targets/target.js';
import {
  allOf,
  backends,
  describeWhen,
  documentedApplyCommand,
  documentedIpsetCommand,
  exec,
  ipsetCapability,
  mustExec,
  namespaceFixture,
  netnsCapability,
  toolsOf,
  withTools,
  type Tools,
} from './env.js';
import { ipsetFileResult } from './ipsetFile.js';
import { clientV4, clientV6, largeArtefacts } from './large.js';

const FAMILIES = [4, 6] as const;
type Family = (typeof FAMILIES)[number];
const FW = 'edge';
const NETWORKS = 1000;
/** Left out of the changed policy. */
const DROPPED = 500;


function edgeFiles(without: number[] = []): Map<string, string> {
  const arts: Artefact[] = largeArtefacts({ networks: NETWORKS, without }).get(FW)!;
  return new Map(arts.map((a) => [a.name, a.content]));
}

/** Set name → members, as the .ipset file leaves them (its temporary sets swapped in and destroyed). */
const membersOf = (ipsetFile: string): Map<string, string[]> => ipsetFileResult(ipsetFile);

/** `#   …` lines under "# Remove" in a rules file's header, with this backend's tool names. */
function documentedRemoveCommands(content: string, family: Family, t: Tools): string[] {
  const lines = content.split('\n');
  const start = lines.findIndex((l) => l.startsWith('# Remove'));
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.startsWith('# Remove') || l.startsWith('# the jumps')) continue;
    if (!l.startsWith('#   ')) break;
    out.push(l.slice(4));
  }
  const p = family === 4 ? 'iptables' : 'ip6tables';
  return out.map((c) => (c.startsWith(`${p} `) ? `${t.iptables} ${c.slice(p.length + 1)}` : c));
}

/** Unrelated rules, loaded before ours, that must survive every apply. */
const unrelated = (family: Family) => {
  const a = family === 4 ? '192.0.2.1/32' : '2001:db8:ffff::1/128';
  return {
    load: `*filter\n:OTHER - [0:0]\n-A FORWARD -s ${a} -j OTHER\n-A OTHER -j RETURN\nCOMMIT\n`,
    lines: [':OTHER - [0:0]', `-A FORWARD -s ${a} -j OTHER`, '-A OTHER -j RETURN'],
  };
};

describeWhen(allOf(netnsCapability(), ipsetCapability()), 'iptables target: ipset sets and rules applied in a network namespace', () => {
  backends().forEach((backend, index) => {
    describe(backend.name, () => {
      const { name: ns, dir, inNs, save } = namespaceFixture(`msgri-${process.pid}-ipset${index}`, backend, (family) => unrelated(family).load);
      const sh = (script: string) => inNs(['sh', '-c', `set -e; ${script}`]);
      const ours = (lines: string[]) => lines.filter((l) => l.startsWith(`-A MSGR-${FW}-`));

      /** The sets as the kernel has them: name → sorted members. */
      const liveSets = () => {
        const out = new Map<string, string[]>();
        const names = inNs(['ipset', 'list', '-n']).stdout.split('\n').filter((n) => n.startsWith(`msgr-${FW}-`));
        for (const n of names.sort()) {
          const text = inNs(['ipset', 'list', n]).stdout;
          out.set(n, text.slice(text.indexOf('Members:\n') + 'Members:\n'.length).split('\n').filter(Boolean).sort());
        }
        return out;
      };

      /** Write the files and run the documented commands: the ipset restore first, then each rules file's apply line. */
      const apply = (files: Map<string, string>) => {
        for (const [name, content] of files) writeFileSync(join(dir(), name), content);
        const v4 = files.get(`${FW}.rules.v4`)!;
        const ipsetCmd = documentedIpsetCommand(v4);
        expect(ipsetCmd).toBe(`ipset restore -exist < ${FW}.ipset`);
        sh(ipsetCmd!);
        for (const family of FAMILIES) {
          const content = files.get(`${FW}.rules.v${family}`)!;
          sh(withTools(documentedApplyCommand(content), family, toolsOf(backend, family)));
        }
      };

      /** Our rules as iptables-save prints them after loading the file alone (its sets present) in a fresh namespace. */
      const reference = (files: Map<string, string>, family: Family) => {
        const t = toolsOf(backend, family);
        const r = mustExec(['unshare', '-n', 'sh', '-c', `set -e; ipset restore -exist < ${FW}.ipset; ${t.restore} -w < ${FW}.rules.v${family}; ${t.save} -t filter`], '', dir());
        return ours(r.stdout.split('\n'));
      };

      const expectState = (files: Map<string, string>) => {
        const want = membersOf(files.get(`${FW}.ipset`)!);
        expect([...liveSets().keys()]).toEqual([...want.keys()].sort());
        for (const [name, members] of liveSets()) expect(members, name).toEqual([...want.get(name)!].sort());
        for (const family of FAMILIES) {
          const lines = save(family);
          expect(lines.filter((l) => l.startsWith('-A FORWARD') && l.includes('-j MSGR-')), `IPv${family} jumps`).toEqual([
            `-A FORWARD -m comment --comment "msgrfw ${FW}" -j MSGR-${FW}-FWD`,
          ]);
          const rules = ours(lines);
          expect(rules, `IPv${family} rules`).toEqual(reference(files, family));
          expect(new Set(rules).size, `IPv${family}: no rule twice`).toBe(rules.length);
          expect(rules.filter((l) => l.includes('--match-set')).length, `IPv${family} set matches`).toBeGreaterThan(0);
          for (const u of unrelated(family).lines) expect(lines.filter((l) => l === u || l.startsWith(`${u} [`)), `IPv${family} keeps ${u}`).toHaveLength(1);
        }
      };

      it(`${NETWORKS} client networks, applied twice: the same sets, one jump, one copy of each rule, other rules kept`, () => {
        const files = edgeFiles();
        expect([...files.keys()]).toEqual([`${FW}.ipset`, `${FW}.rules.v4`, `${FW}.rules.v6`]);
        apply(files);
        expectState(files);
        const first = liveSets();
        apply(files);
        expectState(files);
        expect(liveSets()).toEqual(first);
        expect(first.get(`msgr-${FW}-clients-v4`)).toHaveLength(NETWORKS);
        expect(first.get(`msgr-${FW}-clients-v6`)).toHaveLength(NETWORKS);
      });

      it('the refill goes through a temporary set and swap: the live set keeps its references, no temporary set is left', () => {
        const files = edgeFiles();
        apply(files);
        const refs = (name: string) => Number(/^References: (\d+)$/m.exec(inNs(['ipset', 'list', '-t', name]).stdout)?.[1]);
        for (const family of FAMILIES) expect(refs(`msgr-${FW}-clients-v${family}`)).toBeGreaterThan(0);
        const all = () => inNs(['ipset', 'list', '-n']).stdout.split('\n').filter(Boolean).sort();
        expect(all()).toEqual([`msgr-${FW}-clients-v4`, `msgr-${FW}-clients-v6`]);
        // A temporary set left by an interrupted restore (with stale members) is emptied, used and removed.
        sh(`ipset create msgr-${FW}-clients-t4 hash:net family inet; ipset add msgr-${FW}-clients-t4 192.0.2.0/24`);
        apply(files);
        expectState(files);
        expect(all()).toEqual([`msgr-${FW}-clients-v4`, `msgr-${FW}-clients-v6`]);
        expect(liveSets().get(`msgr-${FW}-clients-v4`)).not.toContain('192.0.2.0/24');
        for (const family of FAMILIES) expect(refs(`msgr-${FW}-clients-v${family}`)).toBeGreaterThan(0);
      });

      it('a changed policy replaces the members (and the sets stay referenced by the same rules)', () => {
        const files = edgeFiles([DROPPED]);
        apply(files);
        expectState(files);
        const sets = liveSets();
        expect(sets.get(`msgr-${FW}-clients-v4`)).toHaveLength(NETWORKS - 1);
        expect(sets.get(`msgr-${FW}-clients-v4`)).not.toContain(clientV4(DROPPED));
        expect(sets.get(`msgr-${FW}-clients-v6`)).not.toContain(clientV6(DROPPED));
        apply(edgeFiles());
        expectState(edgeFiles());
      });

      it('the documented removal: a set cannot go first, the chains then the sets can', () => {
        const files = edgeFiles();
        const sets = [...membersOf(files.get(`${FW}.ipset`)!).keys()];
        // What the headers warn about: a set in use cannot be destroyed.
        expect(exec(['ip', 'netns', 'exec', ns, 'ipset', 'destroy', sets[0]!]).code).not.toBe(0);
        for (const family of FAMILIES) {
          const cmds = documentedRemoveCommands(files.get(`${FW}.rules.v${family}`)!, family, toolsOf(backend, family));
          expect(cmds.at(-1)).toBe(`ipset destroy msgr-${FW}-clients-v${family}`);
          sh(cmds.join('; '));
        }
        expect(liveSets().size).toBe(0);
        for (const family of FAMILIES) {
          const lines = save(family);
          expect(lines.filter((l) => l.includes('MSGR-'))).toEqual([]);
          for (const u of unrelated(family).lines) expect(lines.filter((l) => l === u || l.startsWith(`${u} [`))).toHaveLength(1);
        }
        // And back again from nothing, with the same commands.
        apply(files);
        expectState(files);
      });
    });
  });
});
