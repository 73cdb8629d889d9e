import type { IrDocument } from '../../ir/types.js';
import { planEmit, renderJobs, type RenderJob, type Selection } from '../../../targets/emit.js';
import { groupPolicyArtefacts, type GroupPolicyArtefact } from '../../../targets/gpo/index.js';
import { TARGET_CAPABILITIES } from '../../../targets/judge.js';
import { splitIntoBatches } from './batches.js';
import { renderBatch, type RenderedFile } from './renderThread.js';
import { THREADS_FROM_BYTES, threadsWanted } from './limits.js';
import type { RenderThreads } from './renderThreads.js';

export type { RenderedFile } from './renderThread.js';
export { RenderThreads } from './renderThreads.js';
export { textOf } from '../output/encodedText.js';

/** The bytes a job's files come to, as its targets count them from the IR: a batch's weight. */
function weightOf(doc: IrDocument, job: RenderJob): number {
  let bytes = 0;
  for (const target of job.targets) for (const a of TARGET_CAPABILITIES[target].size.artefacts(doc, job.firewall)) bytes += a.bytes;
  return bytes;
}

/**
 * A policy's files for `compile`: those rendered on this thread (text), ready to be written now,
 * and every file in emitTargets' order (the firewalls' files, then the Group Policy files) once
 * the threads' files (encoded) are in.
 */
export interface Emission {
  /** Whether threads render some of the files: then `all` has files `ready` has not. */
  threaded: boolean;
  ready: RenderedFile[];
  all: Promise<RenderedFile[]>;
  groupPolicy: GroupPolicyArtefact[];
}

/**
 * emitTargets (targets/emit.ts) for `compile`, on this thread and the render threads given: the
 * firewalls in batches of about equal size (as the targets count their bytes), this thread
 * rendering the first while the threads render theirs. Without `--jobs` (`requested`), threads
 * render only a run of at least THREADS_FROM_BYTES. One thread renders exactly as emitTargets does.
 */
export async function emitInThreads(doc: IrDocument, selection: Selection, requested: number | undefined, threads: RenderThreads | undefined): Promise<Emission> {
  const plan = planEmit(doc, selection);
  const groupPolicy = plan.groupPolicy ? groupPolicyArtefacts(doc) : [];
  const count = threads ? Math.min(threadsWanted(requested), plan.jobs.length) : 1;
  const weights = count > 1 ? plan.jobs.map((j) => weightOf(doc, j)) : [];
  if (threads && count > 1 && (requested !== undefined || sum(weights) >= THREADS_FROM_BYTES)) {
    await threads.grow(count - 1);
    return { threaded: true, ...renderInThreads(doc, plan.jobs, splitIntoBatches(weights, count), threads), groupPolicy };
  }
  const files = renderJobs(doc, plan.jobs).map((f) => ({ firewall: f.firewall.name, target: f.target, name: f.artefact.name, content: f.artefact.content }));
  return { threaded: false, ready: files, all: Promise.resolve(files), groupPolicy };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The batches sent to the threads first, then the first rendered here. The files come back in
 * the jobs' order, exactly as one thread renders them; a thread that fails rejects `all`.
 */
function renderInThreads(doc: IrDocument, jobs: readonly RenderJob[], batches: number[][], threads: RenderThreads): Pick<Emission, 'ready' | 'all'> {
  const shared: IrDocument = { ...doc, firewalls: [] };
  const batchOf = (b: readonly number[]) => ({ doc: shared, jobs: b.map((i) => jobs[i]!) });
  const [here, ...elsewhere] = batches;
  const running = elsewhere.map((b, k) => threads.render(k, batchOf(b)));
  // Not awaited yet: a failing thread must not be an unhandled rejection meanwhile.
  for (const r of running) r.catch(() => {});
  const mine: RenderedFile[][] = renderBatch(batchOf(here!), (text) => text);
  const all = Promise.all(running).then((theirs) => {
    const byJob: RenderedFile[][] = jobs.map(() => []);
    [mine, ...theirs].forEach((files, k) => batches[k]!.forEach((job, i) => (byJob[job] = files[i]!)));
    return byJob.flat();
  });
  return { ready: mine.flat(), all };
}
