// The programs the tool and kernel tests run, and the Debian package each comes from, so that a
// skipped test says what to install ("nft not found on PATH: apt-get install nftables") rather
// than node's "spawnSync nft ENOENT".
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const PACKAGES: readonly [RegExp, string][] = [
  [/^nft$/, 'nftables'],
  // iptables, ip6tables, their -save/-restore, and the -nft/-legacy variants of each.
  [/^ip6?tables(-nft|-legacy)?(-save|-restore)?$/, 'iptables'],
  [/^ipset$/, 'ipset'],
  [/^(ip|ss)$/, 'iproute2'],
  [/^unshare$/, 'util-linux'],
  [/^ping$/, 'iputils-ping'],
  [/^aclgen$/, 'python3-capirca'],
  [/^dot$/, 'graphviz'],
  [/^chromium$/, 'chromium'],
];

/** The Debian package that installs `tool`, if it is one the tests use. */
export function debianPackage(tool: string): string | undefined {
  return PACKAGES.find(([pattern]) => pattern.test(tool))?.[1];
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether `tool` is an executable file in a directory of `path` (a PATH-like list). */
export function onPath(tool: string, path = process.env.PATH ?? ''): boolean {
  return path.split(delimiter).some((dir) => dir !== '' && isExecutableFile(join(dir, tool)));
}

/** Where administrators' tools live, and an ordinary user's PATH often leaves out. */
const SBIN = ['/usr/sbin', '/sbin'];

/**
 * Why some of `tools` cannot be run, naming the package of each, or undefined when all are on
 * the PATH: `nft, ipset not found on PATH: apt-get install nftables ipset`. A tool installed in
 * an sbin directory (`sbin`) that the PATH lacks is named with that directory instead.
 */
export function missingTools(tools: readonly string[], path = process.env.PATH ?? '', sbin: readonly string[] = SBIN): string | undefined {
  const missing = tools.filter((t) => !onPath(t, path));
  if (missing.length === 0) return undefined;
  const reasons: string[] = [];
  const found = missing.flatMap((t) => sbin.filter((dir) => isExecutableFile(join(dir, t))).slice(0, 1).map((dir) => ({ t, dir })));
  const absent = missing.filter((t) => !found.some((f) => f.t === t));
  if (absent.length) {
    const packages = [...new Set(absent.map((t) => debianPackage(t) ?? `the package that provides ${t}`))];
    reasons.push(`${absent.join(', ')} not found on PATH: apt-get install ${packages.join(' ')}`);
  }
  for (const dir of new Set(found.map((f) => f.dir))) {
    const here = found.filter((f) => f.dir === dir).map(({ t }) => `${t} (${debianPackage(t) ?? 'installed'})`);
    reasons.push(`${here.join(', ')} ${here.length > 1 ? 'are' : 'is'} in ${dir}, which is not on PATH: PATH=$PATH:${dir}`);
  }
  return reasons.join('; ');
}

/** Why a program could not be started: what to install when it is missing, else node's reason. */
export function notRunnable(cmd: string, error: Error): string {
  return ((error as NodeJS.ErrnoException).code === 'ENOENT' && missingTools([cmd])) || error.message;
}
