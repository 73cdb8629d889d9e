// Running the machine's firewall tools: what a tool says when it stops before reading its input.
import { describe, expect, it } from 'vitest';
import { runTool, ToolError } from '../../src/live/run.js';

/** Far more than a pipe holds, so a tool that never reads it leaves the writer with EPIPE. */
const LARGE = 'x'.repeat(4 * 1024 * 1024);

describe('runTool', () => {
  it('gives the status and message of a tool that refuses before reading its input', () => {
    const r = runTool(['sh', '-c', 'echo "nft: refused" >&2; exit 1'], LARGE);
    expect(r).toMatchObject({ code: 1, stderr: 'nft: refused\n' });
  });

  it('does not take success from a tool that never read what it was to judge', () => {
    expect(() => runTool(['sh', '-c', 'exit 0'], LARGE)).toThrow(ToolError);
    expect(() => runTool(['sh', '-c', 'exit 0'], LARGE)).toThrow(/exited without reading all of its input/);
  });

  it('reads a tool that reads everything as usual', () => {
    expect(runTool(['wc', '-c'], LARGE)).toMatchObject({ code: 0, stdout: `${LARGE.length}\n` });
  });
});
