import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { Work } from '../../addresses/boxes.js';
import { DIFF_WORK_LIMIT } from '../../diff/diff.js';
import type { IrDocument, IrFirewall, IrTarget } from '../../ir/types.js';
import { ToolError } from '../../live/run.js';
import { VerifyTooComplex, type VerifyReport } from '../../verify/compare.js';
import { VerifyTrouble } from '../../verify/regions.js';
import { renderVerify } from '../../verify/render.js';
import { readDumpedFirewall, readLiveFirewall, verifyPolicy } from '../../verify/verify.js';
import { compiledOrExit, Exit, usage, type Io } from '../io.js';

/** diff(1)'s statuses: 0 the live firewall is the policy, 1 drift, 2 trouble. */
export const VERIFY_EXIT = { identical: 0, drift: 1, trouble: 2 } as const;

const LIVE_TARGETS = ['nftables', 'iptables'] as const;

export function registerVerify(program: Command, io: Io): void {
  program
    .command('verify')
    .description('compare what the live firewall allows with what the policy allows; exit 0 identical, 1 drift, 2 trouble')
    .argument('<file>', 'policy file, or - for stdin')
    .option('-f, --firewall <name>', 'the firewall to verify (may be left out when the policy has one)')
    .addOption(new Option('-t, --target <target>', 'what the firewall runs on (default: its one nftables or iptables target)').choices(['nftables', 'iptables', 'pf', 'netsh']))
    .option('--ruleset <file>', 'pf and netsh: a saved dump of the live rules (see the README for the capture command)')
    .addOption(new Option('--format <format>', 'the report as text or json').choices(['text', 'json']).default('text'))
    .option('--max-steps <n>', `give up after this many steps of box arithmetic (default ${DIFF_WORK_LIMIT})`)
    .action((file: string, opts: { firewall?: string; target?: IrTarget; ruleset?: string; format: 'text' | 'json'; maxSteps?: string }) => {
      if (opts.maxSteps !== undefined && !/^[1-9][0-9]{0,14}$/.test(opts.maxSteps)) trouble(io, `--max-steps takes a whole number of steps, not '${opts.maxSteps}'`);
      const compiled = compiledOrExit(file, io, 'text', VERIFY_EXIT.trouble);
      const fw = chooseFirewall(compiled.ir, opts.firewall, io);
      const target = chooseTarget(fw, opts.target, io);
      const work = new Work(opts.maxSteps === undefined ? DIFF_WORK_LIMIT : Number(opts.maxSteps));
      const policy = { ir: compiled.ir, source: { file: compiled.file, text: compiled.source } };
      let report: VerifyReport;
      try {
        if (target === 'nftables' || target === 'iptables') {
          if (opts.ruleset !== undefined) usage(io, `--ruleset is for pf and netsh; verify reads ${target} from this machine`);
          if (process.platform !== 'linux') trouble(io, `verify reads ${target} from the live kernel, which needs Linux (this is ${process.platform})`);
          report = verifyPolicy(policy, fw.name, target, readLiveFirewall(compiled.ir, fw, target), work);
        } else if (target === 'pf' || target === 'netsh') {
          if (opts.ruleset === undefined) usage(io, `verify -t ${target} reads a saved dump of the firewall's rules: give --ruleset FILE (the README says how to capture it)`);
          report = verifyPolicy(policy, fw.name, target, readDumpedFirewall(compiled.ir, fw, target, readDump(opts.ruleset, io)), work);
        } else {
          return trouble(io, `verify compares a firewall's rules; gpo is the clients' Group Policy, not a firewall`);
        }
      } catch (e) {
        if (e instanceof VerifyTooComplex) {
          trouble(io, `comparing firewall ${fw.name} takes more than ${e.limit.toLocaleString('en')} steps of box arithmetic; allow more with --max-steps N`);
        }
        if (e instanceof ToolError || e instanceof VerifyTrouble) trouble(io, e.message);
        throw e;
      }
      io.stdout(opts.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderVerify(report));
      throw new Exit(report.status === 'identical' ? VERIFY_EXIT.identical : VERIFY_EXIT.drift);
    });
}

/** `-f`, or the policy's only firewall. */
export function chooseFirewall(ir: IrDocument, name: string | undefined, io: Io, status = VERIFY_EXIT.trouble): IrFirewall {
  const names = ir.firewalls.map((f) => f.name);
  if (name === undefined) {
    if (ir.firewalls.length === 1) return ir.firewalls[0]!;
    return trouble(io, `which firewall? give -f NAME (the policy has: ${names.join(', ') || 'none'})`, status);
  }
  const fw = ir.firewalls.find((f) => f.name === name);
  return fw ?? trouble(io, `no firewall named '${name}' (the policy has: ${names.join(', ')})`, status);
}

/** `-t`, or the firewall's one Linux kernel target. */
export function chooseTarget(fw: IrFirewall, given: IrTarget | undefined, io: Io, status = VERIFY_EXIT.trouble): IrTarget {
  if (given) return given;
  const linux = fw.targets.filter((t): t is (typeof LIVE_TARGETS)[number] => (LIVE_TARGETS as readonly string[]).includes(t));
  if (linux.length === 1) return linux[0]!;
  if (linux.length === 0) return trouble(io, `firewall ${fw.name} lists neither nftables nor iptables (targets ${fw.targets.join(', ')}): give -t`, status);
  return trouble(io, `firewall ${fw.name} lists both nftables and iptables: give -t nftables or -t iptables`, status);
}

/** The dump file's text (`-`: stdin); a file that cannot be read is trouble. */
function readDump(path: string, io: Io): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (e) {
    return trouble(io, `cannot read the dump ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function trouble(io: Io, message: string, status: number = VERIFY_EXIT.trouble): never {
  io.stderr(`msgrfw: ${message}\n`);
  throw new Exit(status);
}
