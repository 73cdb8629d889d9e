import { parentPort, workerData } from 'node:worker_threads';
import type { IrDocument, IrTarget } from '../../ir/types.js';
import { renderJobs, type RenderJob } from '../../../targets/emit.js';
import { encodeText, type EncodedText, type FileContent } from '../output/encodedText.js';

/**
 * A render thread of `compile` (renderThreads.ts): renders the firewalls of each batch it is sent,
 * and encodes and hashes each file, so the main thread only writes the bytes it is handed (without
 * a copy). The bundle builds this module as an entry of its own (scripts/bundle-cli.mjs), so its
 * URL is that of a file a worker can start, from the bundle and from dist/src alike.
 */
export const RENDER_THREAD_URL = import.meta.url;

/** What a render thread is sent: the document without its firewalls, and a batch's jobs. */
export interface RenderBatch {
  doc: IrDocument;
  jobs: RenderJob[];
}

/** A file rendered for `compile`: text on the main thread, bytes and their hash from a render thread. */
export interface RenderedFile<Content extends FileContent = FileContent> {
  firewall: string;
  target: IrTarget;
  name: string;
  content: Content;
}

/** What a thread is started with, so that only a thread started for it renders. */
export const ROLE = 'msgrfw-render';

/**
 * A batch's files, per job in the batch's order, each file's text as `content` makes it (the text
 * itself on the main thread; a thread encodes each file as soon as it is rendered, so that the text
 * is garbage before the next firewall's, and the thread's heap stays small).
 */
export function renderBatch<Content extends FileContent>(batch: RenderBatch, content: (text: string) => Content): RenderedFile<Content>[][] {
  const doc: IrDocument = { ...batch.doc, firewalls: batch.jobs.map((j) => j.firewall) };
  return batch.jobs.map((job) =>
    renderJobs(doc, [job]).map((f) => ({ firewall: f.firewall.name, target: f.target, name: f.artefact.name, content: content(f.artefact.content) })),
  );
}

/** A batch's files encoded, and the buffers to hand over with them. */
export function renderEncoded(batch: RenderBatch): { files: RenderedFile<EncodedText>[][]; buffers: ArrayBuffer[] } {
  const buffers: ArrayBuffer[] = [];
  const files = renderBatch(batch, (text) => {
    const encoded = encodeText(text);
    buffers.push(encoded.bytes.buffer as ArrayBuffer);
    return encoded;
  });
  return { files, buffers };
}

const port = parentPort;
if (port && (workerData as { role?: string } | null)?.role === ROLE) {
  // For the tests only: MSGRFW_TEST_RENDER_FAIL=1 makes every render thread fail as a bug would,
  // to show what a failing thread does to the run.
  if (process.env.MSGRFW_TEST_RENDER_FAIL === '1') throw new Error('test: a render thread failed');
  // Started before the policy is compiled (its modules load meanwhile), it renders each batch sent.
  port.on('message', (batch: RenderBatch) => {
    const { files, buffers } = renderEncoded(batch);
    port.postMessage(files, buffers);
  });
}
