/** Exit statuses: 0 ok, 1 the policy has errors, 2 usage or I/O trouble (128 + n: ended by signal n). */
export const EXIT = { ok: 0, policy: 1, usage: 2 } as const;

/** Thrown by a command to end with a status; `main` turns it into the exit code. */
export class Exit extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}
