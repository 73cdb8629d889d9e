import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { persistPlan, writePersist } from '../../apply/persist.js';
import type { IrFirewall } from '../../ir/types.js';
import { APPLY_EXIT, applyWithRollback } from '../../apply/apply.js';
import { checkLockOut, parseSshConnection } from '../../apply/guard.js';
import { Session } from '../../apply/session.js';
import type { LiveTarget } from '../../apply/targets.js';
import { runWatchdog } from '../../apply/watchdog.js';
import { artefactsOf } from '../../verify/verify.js';
import { VerifyTrouble } from '../../verify/regions.js';
import { compiledOrExit, EXIT, Exit, type Io } from '../io.js';
import { formatReport } from '../render.js';
import { chooseFirewall, chooseTarget } from './verify.js';

const DEFAULT_TIMEOUT = 30;

export function registerApply(program: Command, io: Io): void {
  program
    .command('apply')
    .description('load a firewall onto this Linux machine, keep it only when confirmed in time (else restore the previous rules)')
    .argument('<file>', 'policy file')
    .option('-f, --firewall <name>', 'the firewall to apply (may be left out when the policy has one)')
    .addOption(new Option('-t, --target <target>', 'nftables or iptables (default: the firewall\'s one Linux target)').choices(['nftables', 'iptables']))
    .option('--timeout <seconds>', `how long to wait for the confirmation (default ${DEFAULT_TIMEOUT})`)
    .option('--yes', 'keep the new rules without asking (automation that confirms the machine is reachable by other means)')
    .option('--force', 'apply even though the new rules would drop the next SSH login of this session (lock-out guard)')
    .option('--persist', 'once kept, make the firewall load at boot (Debian/Ubuntu: /etc/msgrfw and a systemd unit of its own)')
    .option('--root <dir>', 'with --persist: write the boot files under this directory instead of / (to check them)')
    .action(async (file: string, opts: { firewall?: string; target?: LiveTarget; timeout?: string; yes?: boolean; force?: boolean; persist?: boolean; root?: string }) => {
      const trouble = (message: string): never => {
        io.stderr(`msgrfw: ${message}\n`);
        throw new Exit(APPLY_EXIT.trouble);
      };
      if (opts.timeout !== undefined && !/^[1-9][0-9]{0,4}$/.test(opts.timeout)) trouble(`--timeout takes a whole number of seconds (1-99999), not '${opts.timeout}'`);
      if (opts.root !== undefined && !opts.persist) trouble('--root is where --persist writes: give --persist too');
      if (process.platform !== 'linux') trouble(`apply loads nftables or iptables rules, which needs Linux (this is ${process.platform})`);
      if (typeof process.getuid === 'function' && process.getuid() !== 0) trouble('apply changes the firewall of this machine: run it as root');
      const compiled = compiledOrExit(file, io, 'text', EXIT.policy);
      const fw = chooseFirewall(compiled.ir, opts.firewall, io, APPLY_EXIT.trouble);
      const target = chooseTarget(fw, opts.target, io, APPLY_EXIT.trouble);
      if (target !== 'nftables' && target !== 'iptables') trouble(`apply loads nftables or iptables rules; firewall ${fw.name} is for ${target} (see the README, Applying the artefacts)`);
      const policy = { ir: compiled.ir, source: { file: compiled.file, text: compiled.source } };
      const say = (line: string) => io.stderr(`${line}\n`);

      const ssh = process.env.SSH_CONNECTION;
      if (ssh && !opts.force) {
        const parsed = parseSshConnection(ssh);
        if (!parsed.ok) {
          say(`msgrfw: ${parsed.problem}: cannot tell whether the new rules keep this session's way in; apply with --force to apply anyway`);
          throw new Exit(APPLY_EXIT.refused);
        }
        const guard = checkLockOut(fw, compiled.file, parsed.connection, parsed.packet);
        if (guard.kind === 'locked-out') {
          io.stderr(formatReport([{ file: compiled.file, source: compiled.source, diagnostics: [guard.diagnostic] }], 'text', { color: io.color }));
          say('nothing was changed');
          throw new Exit(APPLY_EXIT.refused);
        }
        say(guard.kind === 'accepted' ? `lock-out guard: a new SSH login from ${parsed.connection.client} is accepted by ${guard.by}.` : `lock-out guard: this SSH session's path is not filtered by firewall ${fw.name} (${guard.reason}).`);
      }

      let files: Map<string, string>;
      try {
        files = artefactsOf(compiled.ir, fw, target);
      } catch (e) {
        if (e instanceof VerifyTrouble) trouble(e.message);
        throw e;
      }
      const session = new Session(!opts.yes);
      try {
        const status = await applyWithRollback(
          { policy, fw, target: target as LiveTarget, files: files!, say, session },
          {
            timeoutSeconds: opts.timeout === undefined ? DEFAULT_TIMEOUT : Number(opts.timeout),
            yes: opts.yes === true,
            ...(opts.persist ? { onKept: () => persist(fw, target as LiveTarget, files, resolve(opts.root ?? '/'), say) } : {}),
          },
        );
        throw new Exit(status);
      } finally {
        session.end();
      }
    });
}

function persist(fw: IrFirewall, target: LiveTarget, files: Map<string, string>, root: string, say: (l: string) => void): void {
  const written = writePersist(persistPlan(fw, target, files), root);
  say(`loads at boot (msgrfw-${fw.name}.service):\n${written.map((w) => `  wrote ${w}`).join('\n')}`);
}

/** The rollback watchdog apply starts beside itself (src/apply/watchdog.ts): not for people. */
export function registerWatchdog(program: Command): void {
  program
    .command('__watchdog', { hidden: true })
    .argument('<dir>')
    .action(async (dir: string) => {
      await runWatchdog(dir);
    });
}
