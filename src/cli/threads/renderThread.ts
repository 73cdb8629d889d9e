import { parentPort, workerData } from 'node:worker_threads';
import type { IrDocument, IrTarget } from '../../ir/types.js';
import { renderJobs, type RenderJob } from '../../../targets/emit.js';

/**
 * A render thread of `compile` (renderInThreads.ts): renders the firewalls of one batch (the
 * writer hashes each file from the bytes it writes). The bundle builds this module as an entry of its own (scripts/bundle-cli.mjs), so
 * its URL is that of a file a worker can start, from the bundle and from dist/src alike.
 */
export const RENDER_THREAD_URL = import.meta.url;

/** What a render thread is given: the document without its firewalls, and its batch's jobs. */
export interface RenderBatch {
  role: typeof ROLE;
  doc: IrDocument;
  jobs: RenderJob[];
}

/** A file a render thread made, as it goes back to the main thread. */
export interface RenderedFile {
  firewall: string;
  target: IrTarget;
  name: string;
  content: string;
}

export const ROLE = 'msgrfw-render';

/** A batch's files, per job in the batch's order. */
export function renderBatch(batch: Omit<RenderBatch, 'role'>): RenderedFile[][] {
  const doc: IrDocument = { ...batch.doc, firewalls: batch.jobs.map((j) => j.firewall) };
  return batch.jobs.map((job) =>
    renderJobs(doc, [job]).map((f) => ({ firewall: f.firewall.name, target: f.target, name: f.artefact.name, content: f.artefact.content })),
  );
}

const given = workerData as Partial<RenderBatch> | null;
if (parentPort && given?.role === ROLE) {
  // For the tests only: MSGRFW_TEST_RENDER_FAIL=1 makes every render thread but the main one
  // fail as a bug would, to show what a failing thread does to the run.
  if (process.env.MSGRFW_TEST_RENDER_FAIL === '1') throw new Error('test: a render thread failed');
  parentPort.postMessage(renderBatch(given as RenderBatch));
}
