import { EXIT } from './exit.js';

/** What a shell reports for a process that SIGPIPE ended: 128 + 13. */
export const SIGPIPE_STATUS = 141;

/**
 * `msgrfw compile … | head -1`: when the reader goes away, the next write fails with EPIPE.
 * A Unix tool is then ended by SIGPIPE, silently, and so is msgrfw (node ignores SIGPIPE: the
 * default action comes back once its last listener is removed, and the signal is raised again).
 * What was already written stays: compile lists its files only after all of them are in place.
 * Any other failure to write to the stream is reported, as trouble (exit 2).
 */
export function endQuietlyWhenReaderCloses(stream: NodeJS.WriteStream, name: string): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') {
      process.on('SIGPIPE', ignore);
      process.removeListener('SIGPIPE', ignore);
      process.kill(process.pid, 'SIGPIPE');
      process.exit(SIGPIPE_STATUS); // where the signal cannot end the process (Windows)
    }
    try {
      process.stderr.write(`msgrfw: cannot write to ${name}: ${e.message}\n`);
    } finally {
      process.exit(EXIT.usage);
    }
  });
}

const ignore = () => {};
