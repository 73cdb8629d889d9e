// Policy pairs for `msgrfw diff` (issue 10, item 9): the shapes that once made it slow, and one
// that its work limit has to stop. Used by bench/diff.mjs and by test/diff/bounds.test.ts.
import { readFileSync } from 'node:fs';

const CONTOSO = readFileSync(new URL('../examples/contoso.msgr', import.meta.url), 'utf8');

/** n separate ports: 1001, 1003, 1005, … */
export const ports = (n) => Array.from({ length: n }, (_, i) => 1001 + 2 * i);
/** n separate hosts in `net` (two octets): net.0.1, net.0.3, …, 127 to a /24. */
export const hosts = (n, net) => Array.from({ length: n }, (_, i) => `${net}.${Math.floor(i / 127)}.${2 * (i % 127) + 1}`);

/** Each shape: n → [old policy, new policy], the new one edited as a reviewer would. */
export const SHAPES = {
  /** contoso's plain rule with n separate ports; the edit drops the first and adds port 2. */
  'rule with N ports': (n) => {
    const at = (list) => CONTOSO.replace('allow tcp 22 from admins', `allow tcp ${list.join(', ')} from admins`);
    return [at(ports(n)), at([...ports(n).slice(1), 2])];
  },
  /** contoso's plain rule from a network of n separate hosts; the edit adds host 10.8.0.1. */
  'rule from N hosts': (n) => {
    const at = (list) => CONTOSO.replace('network admins   = 10.9.0.0/24', `network admins   = ${list.join(', ')}`);
    return [at(hosts(n, '10.9')), at([...hosts(n, '10.9'), '10.8.0.1'])];
  },
  /**
   * Both in one firewall: a deny of n ports from 10.9.0.0/16, then an allow of 1-2000 from n
   * hosts inside it; the edit drops port 1001 from the deny.
   */
  'N ports and N hosts': (n) => {
    const at = (list) =>
      CONTOSO.replace('network admins   = 10.9.0.0/24', `network admins   = 10.9.0.0/16\n  network ops      = ${hosts(n, '10.9').join(', ')}`).replace(
        'allow tcp 22 from admins',
        `deny tcp ${list.join(', ')} from admins\n    allow tcp 1-2000 from ops`,
      );
    return [at(ports(n)), at(ports(n).slice(1))];
  },
  /** contoso with its clients on n separate hosts (Messenger's own rules over them); the edit widens the media range. */
  'clients on N hosts': (n) => {
    const at = CONTOSO.replace('network clients  = 10.20.0.0/16, 2001:db8:20::/48', `network clients  = ${hosts(n, '10.20').join(', ')}`);
    return [at, at.replace('media ports 50000-50039', 'media ports 50000-50059')];
  },
};

/**
 * n rules on a gateway, each from a random half of 64 /24 networks to a random half of 64
 * others, for a random half of 64 ports, allow and deny mixed (a fixed seed): every rule cuts
 * every other in every dimension, so the parts each decides are splinters that do not join
 * again. 20 rules (24 KB) take about 31 million steps; the edit drops the first rule.
 */
export function splinters(n = 20) {
  let seed = 11;
  const random = (k) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor(seed / 65536) % k;
  };
  const half = () => {
    const picked = Array.from({ length: 64 }, (_, j) => j).filter(() => random(2) === 1);
    return picked.length ? picked : [random(64)];
  };
  const lines = ['deployment splinters {', '  network lan = 10.0.0.0/8', '  network wan = 172.16.0.0/12'];
  const rules = [];
  for (let i = 0; i < n; i++) {
    lines.push(`  network s${i} = ${half().map((j) => `10.0.${2 * j}.0/24`).join(', ')}`);
    lines.push(`  network d${i} = ${half().map((j) => `172.16.${2 * j}.0/24`).join(', ')}`);
    rules.push(`    ${random(2) ? 'allow' : 'deny'} tcp ${half().map((j) => 1000 + 2 * j).join(', ')} from s${i} to d${i}`);
  }
  const policy = (list) => [...lines, '  firewall fw {', '    between lan and wan', '    targets nftables', '    default deny', ...list, '  }', '}', ''].join('\n');
  return [policy(rules), policy(rules.slice(1))];
}
