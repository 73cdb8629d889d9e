/**
 * The session apply runs in, watched from the start: the lines typed on stdin, stdin closing,
 * hang-up and interrupt signals, and output that can no longer be written (the terminal is
 * gone). A confirmation counts only if it is typed after the question: what was typed ahead,
 * before the new rules were in place, proves nothing about the connection they leave.
 */
export type Answer =
  | { kind: 'yes' }
  | { kind: 'other'; text: string }
  | { kind: 'closed' }
  | { kind: 'timeout' }
  | { kind: 'signal'; signal: NodeJS.Signals }
  | { kind: 'gone' };

const SIGNALS: readonly NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGTERM'];

export class Session {
  private lines: string[] = [];
  private partial = '';
  private closed = false;
  private gone = false;
  private signal: NodeJS.Signals | undefined;
  private wake: (() => void) | undefined;
  private readonly onSignal = (s: NodeJS.Signals) => {
    this.signal ??= s;
    this.wake?.();
  };
  private readonly onOutputError = () => {
    this.gone = true;
    this.wake?.();
  };

  constructor(private readonly readStdin: boolean) {
    for (const s of SIGNALS) process.on(s, this.onSignal);
    // A terminal that went away makes writes fail (EIO, EPIPE): that is the session ending, not a crash.
    for (const stream of [process.stdout, process.stderr]) {
      stream.removeAllListeners('error');
      stream.on('error', this.onOutputError);
    }
    if (!readStdin) return;
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
      this.wake?.();
    });
    const close = () => {
      this.closed = true;
      this.wake?.();
    };
    process.stdin.on('end', close);
    process.stdin.on('error', close);
  }

  /** The first signal received, if any. */
  get received(): NodeJS.Signals | undefined {
    return this.signal;
  }

  get stdinClosed(): boolean {
    return this.closed;
  }

  get outputGone(): boolean {
    return this.gone;
  }

  /**
   * Lets the event loop read what is already waiting on stdin (its end included): sync work
   * (compiling, loading rules) holds the events back. Waits at most `ms`, less once stdin ends.
   */
  async settle(ms = 500): Promise<void> {
    const until = Date.now() + ms;
    while (!this.closed && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  }

  /** Forgets what was typed so far (before the question). Returns how many lines that was. */
  discardTypeAhead(): number {
    const n = this.lines.length + (this.partial ? 1 : 0);
    this.lines = [];
    this.partial = '';
    return n;
  }

  /** The answer to the question just asked, or what ended the wait. */
  async answer(timeoutMs: number): Promise<Answer> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (this.signal) return { kind: 'signal', signal: this.signal };
      if (this.gone) return { kind: 'gone' };
      const line = this.lines.shift();
      if (line !== undefined) return line.trim() === 'yes' ? { kind: 'yes' } : { kind: 'other', text: line.trim() };
      if (this.closed) return { kind: 'closed' };
      const left = until - Date.now();
      if (left <= 0) return { kind: 'timeout' };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  end(): void {
    for (const s of SIGNALS) process.off(s, this.onSignal);
    if (this.readStdin) process.stdin.destroy();
  }
}
