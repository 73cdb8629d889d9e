import { Worker } from 'node:worker_threads';
import type { IrDocument } from '../../ir/types.js';
import { planEmit, renderJobs, type RenderJob, type Selection } from '../../../targets/emit.js';
import { groupPolicyArtefacts, type GroupPolicyArtefact } from '../../../targets/gpo/index.js';
import { TARGET_CAPABILITIES } from '../../../targets/judge.js';
import { splitIntoBatches } from './batches.js';
import type { RenderBatch, RenderedFile } from './renderThread.js';

export type { RenderedFile } from './renderThread.js';

// Imported when it runs, never statically: the bundle makes the thread's module an entry of its
// own (scripts/bundle-cli.mjs), and only a dynamic import keeps its import.meta.url that entry's.
const renderThread = () => import('./renderThread.js');


/** The bytes a job's files come to, as its targets count them from the IR: a batch's weight. */
function weightOf(doc: IrDocument, job: RenderJob): number {
  let bytes = 0;
  for (const target of job.targets) for (const a of TARGET_CAPABILITIES[target].size.artefacts(doc, job.firewall)) bytes += a.bytes;
  return bytes;
}

/** A file `compile` writes, rendered by a thread or here. */
export type CompiledArtefact = RenderedFile;

/**
 * emitTargets (targets/emit.ts) for `compile`, on up to `requested` threads (renderThreads): the
 * firewalls' files in emitTargets' order, then the Group Policy files. One thread renders exactly
 * as emitTargets does.
 */
export async function emitInThreads(doc: IrDocument, selection: Selection, requested: number | undefined): Promise<{ files: CompiledArtefact[]; groupPolicy: GroupPolicyArtefact[] }> {
  const plan = planEmit(doc, selection);
  const groupPolicy = plan.groupPolicy ? groupPolicyArtefacts(doc) : [];
  const threads = await renderThreads(plan.jobs, requested);
  if (threads > 1) return { files: await renderInThreads(doc, plan.jobs, threads), groupPolicy };
  const files = renderJobs(doc, plan.jobs).map((f) => ({ firewall: f.firewall.name, target: f.target, name: f.artefact.name, content: f.artefact.content }));
  return { files, groupPolicy };
}

/**
 * How many threads render: `--jobs` when given, else one (measured on 2 cores, threads did not
 * pay yet: README, Performance). Never more than there are firewalls to render.
 */
export async function renderThreads(jobs: readonly RenderJob[], requested: number | undefined): Promise<number> {
  const wanted = requested ?? 1;
  // Run from the TypeScript sources (the tests' in-process runs), a thread could not load its module.
  const loadable = /\.m?js$/.test(new URL((await renderThread()).RENDER_THREAD_URL).pathname);
  return loadable ? Math.max(1, Math.min(wanted, jobs.length)) : 1;
}

/**
 * Renders the jobs on `threads` threads, this one among them: the firewalls in batches of about
 * equal size (as the targets count their bytes). The files come back in the jobs' order, exactly
 * as one thread renders them. A thread that fails fails the run (nothing is written: the files
 * are written only after every thread is done), and the others are stopped.
 */
export async function renderInThreads(doc: IrDocument, jobs: readonly RenderJob[], threads: number): Promise<RenderedFile[]> {
  const { RENDER_THREAD_URL, renderBatch, ROLE } = await renderThread();
  const batches = splitIntoBatches(jobs.map((j) => weightOf(doc, j)), threads);
  const shared: IrDocument = { ...doc, firewalls: [] };
  const batchOf = (b: readonly number[]) => ({ doc: shared, jobs: b.map((i) => jobs[i]!) });
  // This thread renders the first batch while the others render theirs.
  const [here, ...elsewhere] = batches;
  const workers: Worker[] = [];
  try {
    const running = elsewhere.map((b) => startThread(new URL(RENDER_THREAD_URL), { role: ROLE, ...batchOf(b) }, workers));
    const byBatch = [renderBatch(batchOf(here!)), ...(await Promise.all(running))];
    const byJob: RenderedFile[][] = jobs.map(() => []);
    batches.forEach((b, k) => b.forEach((job, i) => (byJob[job] = byBatch[k]![i]!)));
    return byJob.flat();
  } finally {
    for (const w of workers) void w.terminate();
  }
}

/** One render thread: its files per job, or why it failed. */
function startThread(url: URL, batch: RenderBatch, workers: Worker[]): Promise<RenderedFile[][]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { workerData: batch });
    workers.push(worker);
    let answered = false;
    worker.once('message', (files: RenderedFile[][]) => {
      answered = true;
      resolve(files);
    });
    worker.once('messageerror', (e) => reject(new Error(`a render thread's files could not be read: ${e.message}`)));
    worker.once('error', (e) => reject(new Error(`a render thread failed: ${e.message}`)));
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`a render thread stopped (exit code ${code}) before it sent its files`));
    });
  });
}
