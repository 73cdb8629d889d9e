import { Option, type Command } from 'commander';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { IrDocument } from '../../ir/types.js';
import { ARTEFACT_KINDS, GROUP_POLICY, groupPolicySelected, type ArtefactKind, type Selection } from '../../../targets/selection.js';
import { artefactForOutput, collidingArtefact } from '../artefactNames.js';
import { compileInput, withCheckDiagnostics, requireFirewall, requireStdinOnce, Exit, formatOption, usage, warningsAsErrorsOption, writeOrFail, type Io } from '../io.js';
import type { FileContent } from '../output/encodedText.js';
import { OutputError } from '../output/failure.js';
import type { Owner } from '../output/manifest.js';
import type { OutputFile } from '../output/write.js';
import { coresAvailable, DEFAULT_THREADS_FROM_CORES, MAX_JOBS, threadsWanted, WARM_THREADS_FROM_BYTES } from '../threads/limits.js';
import type { Emission, RenderedFile, RenderThreads } from '../threads/renderInThreads.js';
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
    .option('-j, --jobs <n>', `render the firewalls on at most n threads, 1 to ${MAX_JOBS} (default, for a large output: as many as the machine runs at once, from ${DEFAULT_THREADS_FROM_CORES} up)`)
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
      const threads = await threadsBeforeCompiling(paths, jobs);
      try {
        await compileAndWrite(io, paths, opts, jobs, threads);
      } finally {
        threads?.stop();
      }
    });
}

interface CompileOptions {
  target?: ArtefactKind;
  firewall?: string;
  output?: string;
  outDir?: string;
  format: DiagnosticFormat;
  warningsAsErrors?: boolean;
}

/** A file `compile` writes: rendered on this thread (text) or on a render thread (bytes). */
interface CompiledArtefact {
  name: string;
  firewall: string;
  policy: string;
  content: FileContent;
  owner: Owner;
}

async function compileAndWrite(io: Io, paths: string[], opts: CompileOptions, jobs: number | undefined, threads: RenderThreads | undefined): Promise<void> {
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
  const { emitInThreads, textOf } = await import('../threads/renderInThreads.js');
  const emitted: { c: (typeof compiled)[number]; ir: IrDocument; emission: Emission }[] = [];
  for (const c of compiled) emitted.push({ c, ir: c.ir!, emission: await emitInThreads(c.ir!, selection, jobs, threads) });
  // One object per file, so that the files ready now are the same objects among all of them.
  const seen = new Map<RenderedFile, CompiledArtefact>();
  const artefactOf = (policy: string, ir: IrDocument) => (f: RenderedFile): CompiledArtefact => {
    const a = seen.get(f) ?? { name: f.name, firewall: f.firewall, policy, content: f.content, owner: { deployment: ir.deployment, firewall: f.firewall, target: f.target } };
    seen.set(f, a);
    return a;
  };
  // A Group Policy file belongs to a clients block: the manifest records it under that name.
  const groupPolicyOf = (policy: string, ir: IrDocument, e: Emission): CompiledArtefact[] =>
    e.groupPolicy.map((g) => ({ name: g.name, firewall: g.clients, policy, content: g.content, owner: { deployment: ir.deployment, firewall: g.clients, target: GROUP_POLICY } }));
  const policyFiles = emitted.map(({ c, ir, emission }) => ({ ready: emission.ready.map(artefactOf(c.file, ir)), groupPolicy: groupPolicyOf(c.file, ir, emission) }));
  const ready = policyFiles.flatMap((p) => [...p.ready, ...p.groupPolicy]);
  const whole = Promise.all(emitted.map(({ emission }) => emission.all)).then((alls) =>
    alls.flatMap((files, i) => [...files.map(artefactOf(emitted[i]!.c.file, emitted[i]!.ir)), ...policyFiles[i]!.groupPolicy]),
  );

  if (opts.output !== undefined) {
    const chosen = artefactForOutput(await whole, opts.output);
    if (!chosen.ok) usage(io, chosen.problem);
    if (opts.output === '-') io.stdout(textOf(chosen.artefact.content));
    else await writeOrFail(io, [{ path: opts.output, content: chosen.artefact.content }]);
    return;
  }
  const dir = opts.outDir ?? 'out';
  const outputs = new Map<CompiledArtefact, OutputFile>();
  const outputOf = (a: CompiledArtefact): OutputFile => {
    const o = outputs.get(a) ?? { path: join(dir, a.name), content: a.content, owner: a.owner };
    outputs.set(a, o);
    return o;
  };
  // The directory's manifest: stale files of these deployments, within the selection, are removed.
  const policies = irs.map((ir) => ({ deployment: ir.deployment, firewalls: ir.firewalls }));
  const write = { listAs: 'wrote', manifest: { dir, policies, ...selection, groupPolicy: groupPolicySelected(selection) } };
  const rendered = emitted.some(({ emission }) => emission.threaded) ? undefined : await whole;
  if (rendered) {
    const collision = collidingArtefact(rendered);
    if (collision) usage(io, `${collision}; nothing was written`);
    await writeOrFail(io, rendered.map(outputOf), write);
    return;
  }
  // The files rendered here are written while the threads render theirs.
  const all = whole.then((artefacts) => {
    const collision = collidingArtefact(artefacts);
    if (collision) throw new OutputError(`${collision}; nothing was written`);
    return artefacts.map(outputOf);
  });
  // The writer awaits it only after the first files: a failing thread must not be an unhandled rejection meanwhile.
  all.catch(() => {});
  await writeOrFail(io, ready.map(outputOf), { ...write, whole: all });
}

/**
 * The render threads, started before the policies are compiled when the run may well render on
 * them: `--jobs` above 1, or by default (on a machine with DEFAULT_THREADS_FROM_CORES or more)
 * policies of at least WARM_THREADS_FROM_BYTES. Otherwise none start (a small run renders here).
 */
async function threadsBeforeCompiling(paths: readonly string[], jobs: number | undefined): Promise<RenderThreads | undefined> {
  const wanted = threadsWanted(jobs);
  if (wanted < 2) return undefined;
  if (jobs === undefined && paths.reduce((n, p) => n + sizeOf(p), 0) < WARM_THREADS_FROM_BYTES) return undefined;
  const { RenderThreads } = await import('../threads/renderInThreads.js');
  // At most a thread per core now; `--jobs` beyond that starts the rest once the firewalls are known.
  return RenderThreads.start(Math.max(1, Math.min(wanted, coresAvailable()) - 1));
}

const sizeOf = (path: string): number => {
  try {
    return path === '-' ? 0 : statSync(path).size;
  } catch {
    return 0;
  }
};

/** `--jobs N`: a whole number of threads from 1 to MAX_JOBS, or a usage error (exit 2). */
function jobsOrExit(io: Io, given: string): number {
  const n = /^[0-9]+$/.test(given) ? Number(given) : NaN;
  if (n >= 1 && n <= MAX_JOBS) return n;
  return usage(io, `--jobs takes a whole number of threads from 1 to ${MAX_JOBS}, not '${given}' (1 renders on one thread)`);
}

const withoutIr = <T extends { ir?: IrDocument }>({ ir: _ir, ...rest }: T): Omit<T, 'ir'> => rest;
