// The compiler's worker. The build (scripts/build-web.mjs) runs this bundle as a classic worker
// script inside an async function, after a first handler that queues what arrives while the
// compiler's modules load (their top-level awaits); the queue is `__msgrfwQueued`.
import { artefacts, format, run } from './compiler.js';
import type { Request, Response } from './protocol.js';

declare const __msgrfwQueued: MessageEvent[];

function answer(request: Request): unknown {
  switch (request.kind) {
    case 'run':
      return run(request);
    case 'artefacts':
      return artefacts(request.text, request.file, request.target);
    case 'format':
      return format(request.text, request.file);
  }
}

function handle(event: MessageEvent<{ id: number; request: Request }>): void {
  const { id, request } = event.data;
  let response: Response;
  try {
    response = { ok: true, value: answer(request) };
  } catch (e) {
    // A compiler bug, not the policy's: the page says so and keeps working.
    response = { ok: false, error: `internal error: ${(e as Error).message}` };
  }
  postMessage({ id, response });
}

self.onmessage = handle;
for (const queued of __msgrfwQueued.splice(0)) handle(queued);
