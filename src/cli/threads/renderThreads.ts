import { Worker } from 'node:worker_threads';
import type { EncodedText } from '../output/encodedText.js';
import type { RenderBatch, RenderedFile } from './renderThread.js';

// Imported when it runs, never statically: the bundle makes the thread's module an entry of its
// own (scripts/bundle-cli.mjs), and only a dynamic import keeps its import.meta.url that entry's.
const renderThread = () => import('./renderThread.js');

type Answer = RenderedFile<EncodedText>[][];

/** One thread and the batches it was sent, answered in the order sent. */
interface Thread {
  worker: Worker;
  waiting: { resolve: (files: Answer) => void; reject: (e: Error) => void }[];
  failure?: Error;
}

/**
 * The render threads of a `compile` run. They are started before the policy is compiled, so that
 * loading the targets' modules overlaps the compile; a thread stays idle (and never keeps the
 * process alive) until it is sent a batch. A thread that fails fails every batch sent to it.
 */
export class RenderThreads {
  private readonly threads: Thread[] = [];

  private constructor(private readonly url: URL) {}

  /** `count` threads, or none when their module cannot start a thread (run from the TypeScript sources, as the tests' in-process runs are). */
  static async start(count: number): Promise<RenderThreads | undefined> {
    const url = new URL((await renderThread()).RENDER_THREAD_URL);
    if (!/\.m?js$/.test(url.pathname)) return undefined;
    const threads = new RenderThreads(url);
    await threads.grow(count);
    return threads;
  }

  get count(): number {
    return this.threads.length;
  }

  /** Starts threads until there are `count`. */
  async grow(count: number): Promise<void> {
    const { ROLE } = await renderThread();
    while (this.threads.length < count) this.threads.push(this.startThread(ROLE));
  }

  /** The files of a batch rendered on thread `k`. */
  render(k: number, batch: RenderBatch): Promise<Answer> {
    const thread = this.threads[k]!;
    if (thread.failure) return Promise.reject(thread.failure);
    return new Promise<Answer>((resolve, reject) => {
      thread.waiting.push({ resolve, reject });
      thread.worker.ref();
      thread.worker.postMessage(batch);
    });
  }

  stop(): void {
    for (const t of this.threads) void t.worker.terminate();
  }

  private startThread(role: string): Thread {
    const worker = new Worker(this.url, { workerData: { role } });
    worker.unref();
    const thread: Thread = { worker, waiting: [] };
    const fail = (e: Error) => {
      thread.failure ??= e;
      for (const w of thread.waiting.splice(0)) w.reject(thread.failure);
    };
    worker.on('message', (files: Answer) => {
      thread.waiting.shift()?.resolve(files);
      if (!thread.waiting.length) worker.unref();
    });
    worker.on('messageerror', (e) => fail(new Error(`a render thread's files could not be read: ${e.message}`)));
    worker.on('error', (e) => fail(new Error(`a render thread failed: ${e.message}`)));
    worker.on('exit', (code) => fail(new Error(`a render thread stopped (exit code ${code}) before it sent its files`)));
    return thread;
  }
}
