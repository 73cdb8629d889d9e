import workerSource from 'msgrfw:worker-source';
import type { Request, Response } from './protocol.js';

/**
 * The compiler in its worker, so that compiling never blocks typing. The worker's code is in
 * the page's bundle and started from a blob: a page opened from file:// may not start a worker
 * from a file.
 */
export class CompilerClient {
  private readonly worker: Worker;
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(worker: Worker) {
    this.worker = worker;
    this.worker.onmessage = (e: MessageEvent<{ id: number; response: Response }>) => {
      const waiter = this.waiting.get(e.data.id);
      this.waiting.delete(e.data.id);
      if (!waiter) return;
      if (e.data.response.ok) waiter.resolve(e.data.response.value);
      else waiter.reject(new Error(e.data.response.error));
    };
    this.worker.onerror = (e) => {
      for (const w of this.waiting.values()) w.reject(new Error(`the compiler stopped: ${e.message}`));
      this.waiting.clear();
    };
  }

  call<T>(request: Request): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, request });
    });
  }
}

/**
 * The worker, started as this module is evaluated: app.ts imports this module first, so the
 * compiler loads in its thread while the editor's modules load in the page's.
 */
const started = new Worker(URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' })), { name: 'msgrfw compiler' });

export const compilerClient = (): CompilerClient => new CompilerClient(started);
