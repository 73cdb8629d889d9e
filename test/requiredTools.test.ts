import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validatorsUsable } from './hardening/support.js';
import { probeKernel } from './kernel/capability.js';
import { runSync } from './kernel/exec.js';
import { debianPackage, missingTools } from './requiredTools.js';
import { exec, ipsetCapability, netnsCapability, restoreTestCapability } from './targets/iptables/env.js';
import { validatorProblem } from './targets/syntaxCheck.js';

const dir = mkdtempSync(join(tmpdir(), 'msgrfw-tools-'));
/** A directory holding executables (and a file that is not one) with the given names. */
function bin(name: string, tools: string[], notExecutable: string[] = []): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  for (const t of [...tools, ...notExecutable]) writeFileSync(join(d, t), '#!/bin/sh\n');
  for (const t of tools) chmodSync(join(d, t), 0o755);
  return d;
}

describe('missingTools: what a skipped test says to install', () => {
  it('names every missing tool and the Debian packages, each once', () => {
    expect(missingTools(['nft', 'ip', 'ss', 'ip6tables-restore', 'iptables-save'], bin('empty', []), [])).toBe(
      'nft, ip, ss, ip6tables-restore, iptables-save not found on PATH: apt-get install nftables iproute2 iptables',
    );
    expect(missingTools(['ipset', 'unshare', 'aclgen', 'iptables-legacy-restore'], '', [])).toBe('ipset, unshare, aclgen, iptables-legacy-restore not found on PATH: apt-get install ipset util-linux python3-capirca iptables');
  });

  it('finds tools in every directory of the PATH; a file that is not executable is not one', () => {
    const path = [bin('a', ['nft']), bin('b', ['ip'], ['ss'])].join(':');
    expect(missingTools(['nft', 'ip'], path, [])).toBeUndefined();
    expect(missingTools(['nft', 'ss'], path, [])).toBe('ss not found on PATH: apt-get install iproute2');
  });

  it('says so when the tool is installed in an sbin directory that the PATH lacks', () => {
    const sbin = bin('sbin', ['nft', 'ip']);
    expect(missingTools(['nft', 'ipset'], bin('empty', []), [sbin])).toBe(`ipset not found on PATH: apt-get install ipset; nft (nftables) is in ${sbin}, which is not on PATH: PATH=$PATH:${sbin}`);
    expect(missingTools(['nft', 'ip'], bin('empty', []), [sbin])).toBe(`nft (nftables), ip (iproute2) are in ${sbin}, which is not on PATH: PATH=$PATH:${sbin}`);
  });

  it('knows the package of every tool the tests run', () => {
    for (const tool of ['nft', 'iptables', 'iptables-restore', 'ip6tables-save', 'iptables-nft-restore', 'ipset', 'ip', 'ss', 'unshare', 'aclgen']) {
      expect(debianPackage(tool), tool).toBeDefined();
    }
    expect(debianPackage('iptablesx')).toBeUndefined();
  });
});

describe('with a PATH that lacks the tools, every probe names the packages, never "spawnSync … ENOENT"', () => {
  const saved = process.env.PATH;
  afterEach(() => {
    process.env.PATH = saved;
  });
  const withoutTools = () => {
    process.env.PATH = bin('empty', []);
  };
  const names = (why: string | undefined, ...packages: string[]) => {
    expect(why).toBeDefined();
    expect(why).not.toMatch(/ENOENT/);
    for (const p of packages) expect(why).toContain(p);
  };

  it.each([
    ['the kernel tests', () => probeKernel(), ['nftables', 'iptables', 'iproute2', 'iputils-ping']],
    ['iptables-restore --test', () => restoreTestCapability(), ['iptables', 'util-linux']],
    ['the iptables namespace tests', () => netnsCapability(), ['iptables', 'iproute2']],
    ['the ipset tests', () => ipsetCapability(), ['ipset', 'iptables', 'util-linux']],
    ['the fuzz tests’ validators', () => validatorsUsable(), ['nftables', 'iptables', 'util-linux']],
  ] as const)('%s', (_name, probe, packages) => {
    withoutTools();
    const r = probe();
    expect(r.ok).toBe(false);
    names(r.ok ? undefined : r.why, ...packages);
  });

  it('the syntax checks and a program that cannot be started', () => {
    withoutTools();
    names(validatorProblem('nft'), 'nftables', 'util-linux');
    names(runSync(['nft', '--version']).stderr, 'nftables');
    names(exec(['ipset', '--version']).stderr, 'ipset');
  });
});
