// `msgrfw … | head -1`: when the reader of stdout goes away, msgrfw ends as a Unix tool does,
// by SIGPIPE (status 141 in the shell), silently: no EPIPE stack trace. Through real pipes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SIGPIPE_STATUS } from '../../src/cli/closedPipe.js';
import { BIN } from './run.js';
import { artefactsIn } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'msgrfw-pipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 1,500 host firewalls, no warnings: `compile --out-dir` lists 3,000 files (about 150 KB, more than a pipe holds). */
const FIREWALLS = 1500;
const BIG = join(dir, 'big.msgr');
writeFileSync(
  BIG,
  `deployment big {\n  network srv = 10.1.1.10\n  network cl = 10.20.0.0/16\n  server srv {\n    sip tls\n  }\n  clients cl {\n    server srv via tls\n    features im\n  }\n${Array.from(
    { length: FIREWALLS },
    (_, i) => `  firewall host-${i} {\n    on srv\n    targets nftables, iptables\n    allow tcp 22 from cl\n  }\n`,
  ).join('')}}\n`,
);

/** Runs a shell pipeline; msgrfw's exit status (PIPESTATUS[0]) and its stderr come back on stderr. */
function pipeline(msgrfw: string, reader: string) {
  const script = `"$0" "$1" ${msgrfw} 2>"$2" | ${reader}; echo "status=\${PIPESTATUS[0]}" >&2`;
  const stderrFile = join(dir, `stderr-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync('bash', ['-c', script, process.execPath, BIN, stderrFile], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
  return { stdout: r.stdout, status: Number(/status=(\d+)/.exec(r.stderr)?.[1]), msgrfwStderr: readFileSync(stderrFile, 'utf8') };
}

describe('a closed stdout ends the run quietly', () => {
  it(`compile BIG --out-dir D | head -1: the first line, no stack trace, status ${SIGPIPE_STATUS}; every file was written`, () => {
    const out = join(dir, 'out');
    const r = pipeline(`compile ${BIG} --out-dir ${out}`, 'head -1');
    expect(r.stdout).toBe(`wrote ${join(out, 'host-0.nft')}\n`);
    expect(r.msgrfwStderr).toBe('');
    expect(r.status).toBe(SIGPIPE_STATUS);
    // The files are written (whole) before the listing starts.
    expect(artefactsIn(out)).toHaveLength(FIREWALLS * 3);
  });

  it.each([
    ['ir BIG | head -c 100', `ir ${BIG}`, 'head -c 100 >/dev/null'],
    ['check --format json BIG | true (the reader is gone before anything is written)', `check --format json ${BIG}`, 'true'],
    ['compile -o - | head -1', `compile ${BIG} -t nftables -f host-7 -o -`, 'head -1 >/dev/null'],
  ])('%s: silent', (_name, msgrfw, reader) => {
    const r = pipeline(msgrfw, reader);
    expect(r.msgrfwStderr).toBe('');
    // A reader may have taken all of a small output before it went: then there was no EPIPE.
    expect([0, SIGPIPE_STATUS]).toContain(r.status);
  });

  it('is what a Unix tool does: the process is ended by SIGPIPE itself, as `yes | head -1` ends yes', async () => {
    const child = spawn(process.execPath, [BIN, 'ir', BIG], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.destroy();
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
    expect({ code, signal, stderr }).toEqual({ code: null, signal: 'SIGPIPE', stderr: '' });
    const yes = spawnSync('bash', ['-c', 'yes | head -1 >/dev/null; echo "${PIPESTATUS[0]}"'], { encoding: 'utf8' });
    expect(Number(yes.stdout.trim())).toBe(SIGPIPE_STATUS);
  });
});
