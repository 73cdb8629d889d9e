// Can this machine run the kernel tests? And a vitest wrapper that runs,
// fails (in CI) or skips a suite depending on the answer.
import { describe, it } from 'vitest';
import { missingTools } from '../requiredTools.js';
import { runSync } from './exec.js';
import { uniquePrefix } from './netns.js';

export type KernelCapability = { ok: true } | { ok: false; why: string };

let cached: KernelCapability | undefined;

/** Cached: the probe creates a namespace, so do it once per process. */
export function kernelCapability(): KernelCapability {
  cached ??= probeKernel();
  return cached;
}

/** The tools the kernel tests run (probed, uncached: kernelCapability() is what suites use). */
export const KERNEL_TOOLS = ['ip', 'nft', 'iptables-restore', 'ip6tables-restore', 'ss', 'ping'] as const;

export function probeKernel(): KernelCapability {
  if (process.platform !== 'linux') return { ok: false, why: `platform is ${process.platform}, not linux` };
  // What to install comes first: it is needed as root too.
  const missing = missingTools(KERNEL_TOOLS);
  if (missing) return { ok: false, why: missing };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { ok: false, why: 'not running as root (uid 0 is needed for ip netns)' };
  }
  for (const tool of KERNEL_TOOLS) {
    const r = runSync([tool, tool === 'ip' || tool === 'ping' ? '-V' : '--version']);
    if (r.code !== 0) return { ok: false, why: `${tool} not usable: ${firstLine(r.stderr) || `exit ${r.code}`}` };
  }

  // Tools being present is not enough (containers often forbid netns or lack
  // nf_tables), so exercise the real operations in a throwaway namespace.
  const ns = `${uniquePrefix()}cap`;
  const add = runSync(['ip', 'netns', 'add', ns]);
  if (add.code !== 0) return { ok: false, why: `ip netns add failed: ${firstLine(add.stderr)}` };
  try {
    const inNs = (argv: string[], input?: string) => runSync(['ip', 'netns', 'exec', ns, ...argv], input);
    const checks: Array<[string, string[], string?]> = [
      ['ip link set lo up', ['ip', 'link', 'set', 'lo', 'up']],
      ['nft', ['nft', '-f', '-'], 'table inet msgrt_cap {\n chain c { type filter hook input priority 0; }\n}\n'],
      ['iptables-restore', ['iptables-restore'], '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n'],
      ['ip6tables-restore', ['ip6tables-restore'], '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n'],
    ];
    for (const [what, argv, input] of checks) {
      const r = inNs(argv, input);
      if (r.code !== 0) return { ok: false, why: `${what} inside a namespace failed: ${firstLine(r.stderr)}` };
    }
  } finally {
    runSync(['ip', 'netns', 'del', ns]);
  }
  return { ok: true };
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0] ?? '';
}

let warned = false;

/**
 * `describe` for tests that need the kernel:
 * - capable: a normal describe;
 * - not capable and CI=true: a failing test carrying the reason (CI must not
 *   silently skip the only tests that prove the rules work);
 * - otherwise: skipped, reason in the title and warned once on stderr.
 */
export function kernelSuite(name: string, fn: () => void): void {
  const cap = kernelCapability();
  if (cap.ok) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('kernel capability', () => {
        throw new Error(`kernel tests cannot run in CI: ${cap.why}`);
      });
    });
    return;
  }
  if (!warned) {
    warned = true;
    console.warn(`[msgrfw] skipping kernel tests: ${cap.why}`);
  }
  describe.skip(`${name} [skipped: ${cap.why}]`, () => {
    it.skip(`needs kernel: ${cap.why}`, () => {});
  });
}

/** Alias with describe-like naming. */
export const describeKernel = kernelSuite;
