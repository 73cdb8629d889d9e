import { Option, type Command } from 'commander';
import { join } from 'node:path';
import type { IrDocument } from '../../ir/types.js';
import { ARTEFACT_KINDS, GROUP_POLICY, groupPolicySelected, type ArtefactKind, type Selection } from '../../../targets/selection.js';
import { artefactForOutput, collidingArtefact } from '../artefactNames.js';
import { compileInput, withCheckDiagnostics, requireFirewall, requireStdinOnce, Exit, formatOption, usage, warningsAsErrorsOption, writeOrFail, type Io } from '../io.js';
import type { Owner } from '../output/manifest.js';
import { MAX_JOBS } from '../threads/limits.js';
import { formatReport, reportStatus, type DiagnosticFormat, type FileReport } from '../render.js';

export function registerCompile(program: Command, io: Io): void {
  program
    .command('compile')
    .description("write the rules of every firewall for its targets, and the clients' Group Policy files")
    .argument('<files...>', 'policy files, or - for stdin')
    .addOption(
      new Option('-t, --target <target>', `only this target, for every selected firewall; ${GROUP_POLICY}: only the clients' Group Policy files`).choices([...ARTEFACT_KINDS]),
    )
    .option('-f, --firewall <name>', 'only this firewall')
    .option('-o, --output <file>', 'write the single selected artefact here (- for stdout); with iptables or netsh, the file name says which (wan.rules.v6)')
    .option('--out-dir <dir>', 'write every artefact into this directory (default: out)')
    .option('-j, --jobs <n>', `render the firewalls on at most n threads, 1 to ${MAX_JOBS} (default 1: one thread)`)
    .addOption(formatOption())
    .addOption(warningsAsErrorsOption())
    .action(async (paths: string[], opts: { target?: ArtefactKind; firewall?: string; output?: string; outDir?: string; jobs?: string; format: DiagnosticFormat; warningsAsErrors?: boolean }) => {
      const jobs = opts.jobs === undefined ? undefined : jobsOrExit(io, opts.jobs);
      if (opts.output !== undefined && opts.outDir !== undefined) usage(io, 'give either -o or --out-dir, not both');
      if (opts.output !== undefined && paths.length > 1) usage(io, `-o writes one artefact of one policy, but ${paths.length} policies are given; use --out-dir for several`);
      if (opts.target === GROUP_POLICY && opts.firewall !== undefined) {
        usage(io, `-t ${GROUP_POLICY} writes the clients' Group Policy files, which belong to no firewall: leave out -f`);
      }
      requireStdinOnce(io, paths);
      const compiled = paths.map(compileInput);
      const irs = compiled.flatMap((c) => (c.ir ? [c.ir] : []));
      // With a policy that has errors, they are what to report, not a firewall name it may lack.
      if (irs.length === compiled.length) requireFirewall(irs, opts.firewall, io);
      const selection: Selection = { ...(opts.firewall ? { firewall: opts.firewall } : {}), ...(opts.target ? { target: opts.target } : {}) };

      // What the selected targets refuse or approximate, decided from the IR as `check` does.
      const reports: FileReport[] = compiled.map((c) => withoutIr(withCheckDiagnostics(c, selection)));
      // A machine format always gets its document (an empty one too), so a CI step can rely on it.
      // With --warnings-as-errors, a warning not acknowledged stops the run as an error does: nothing is written.
      const strict = { warningsAsErrors: opts.warningsAsErrors === true };
      io.stderr(formatReport(reports, opts.format, { color: io.color, ...strict }));
      const status = reportStatus(reports, strict);
      if (status) throw new Exit(status);

      // The targets (and their template engine) load only for a command that writes rules.
      const { emitInThreads } = await import('../threads/renderInThreads.js');
      const artefacts: { name: string; firewall: string; policy: string; content: string; owner: Owner }[] = [];
      for (const c of compiled) {
        const ir = c.ir!;
        const emitted = await emitInThreads(ir, selection, jobs);
        for (const f of emitted.files) {
          artefacts.push({ name: f.name, firewall: f.firewall, policy: c.file, content: f.content, owner: { deployment: ir.deployment, firewall: f.firewall, target: f.target } });
        }
        // A Group Policy file belongs to a clients block: the manifest records it under that name.
        for (const g of emitted.groupPolicy) {
          artefacts.push({ name: g.name, firewall: g.clients, policy: c.file, content: g.content, owner: { deployment: ir.deployment, firewall: g.clients, target: GROUP_POLICY } });
        }
      }

      if (opts.output !== undefined) {
        const chosen = artefactForOutput(artefacts, opts.output);
        if (!chosen.ok) usage(io, chosen.problem);
        if (opts.output === '-') io.stdout(chosen.artefact.content);
        else await writeOrFail(io, [{ path: opts.output, content: chosen.artefact.content }]);
        return;
      }
      const collision = collidingArtefact(artefacts);
      if (collision) usage(io, `${collision}; nothing was written`);
      const dir = opts.outDir ?? 'out';
      const outputs = artefacts.map((a) => ({ path: join(dir, a.name), content: a.content, owner: a.owner }));
      // The directory's manifest: stale files of these deployments, within the selection, are removed.
      const policies = irs.map((ir) => ({ deployment: ir.deployment, firewalls: ir.firewalls }));
      await writeOrFail(io, outputs, { listAs: 'wrote', manifest: { dir, policies, ...selection, groupPolicy: groupPolicySelected(selection) } });
    });
}

/** `--jobs N`: a whole number of threads from 1 to MAX_JOBS, or a usage error (exit 2). */
function jobsOrExit(io: Io, given: string): number {
  const n = /^[0-9]+$/.test(given) ? Number(given) : NaN;
  if (n >= 1 && n <= MAX_JOBS) return n;
  return usage(io, `--jobs takes a whole number of threads from 1 to ${MAX_JOBS}, not '${given}' (1 renders on one thread)`);
}

const withoutIr = <T extends { ir?: IrDocument }>({ ir: _ir, ...rest }: T): Omit<T, 'ir'> => rest;
