// Measuring whole processes for the benchmark (bench/run.mjs and its parts), and the statistics
// over the runs: medians and growth exponents fitted on log-log.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

export const TIME = '/usr/bin/time';
export const HAVE_TIME = existsSync(TIME);

// Measuring one whole process: wall time (from spawn to exit), peak RSS of the largest process
// (GNU time's %M, the kernel's high-water mark) and of the whole process tree (sampled from
// /proc every 5 ms: aclgen runs a pool of worker processes), user and system CPU seconds.

function treePids(root) {
  const out = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop();
    out.push(pid);
    let tasks = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ')) if (c.trim()) stack.push(Number(c));
      } catch {
        /* gone */
      }
    }
  }
  return out;
}

function rssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs `cmd` once and measures it. With `timeoutMs`, a run still going then is killed with its
 * whole process group (aclgen's workers too) and comes back with `timedOut: true`.
 */
export function measure(cmd, args, { cwd, timeoutMs } = {}) {
  return new Promise((done) => {
    const timeFile = join(os.tmpdir(), `msgrfw-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const argv = HAVE_TIME ? [TIME, ['-f', '%M %U %S', '-o', timeFile, cmd, ...args]] : [cmd, args];
    const start = process.hrtime.bigint();
    // Under a timeout, a process group of its own, so that it can end the tool and every worker
    // the tool started.
    const child = spawn(argv[0], argv[1], { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: Boolean(timeoutMs) });
    let timedOut = false;
    const killer = timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }, timeoutMs)
      : undefined;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout.length < 1 << 20 ? (stdout += d) : null));
    child.stderr.on('data', (d) => (stderr.length < 1 << 20 ? (stderr += d) : null));
    let treePeak = 0;
    const sample = () => {
      // The `time` wrapper itself is left out: only the measured command and its children count.
      const pids = treePids(child.pid).filter((p) => !HAVE_TIME || p !== child.pid);
      treePeak = Math.max(treePeak, pids.reduce((sum, p) => sum + rssKb(p), 0));
    };
    const timer = setInterval(sample, 5);
    child.on('close', (status) => {
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      clearInterval(timer);
      clearTimeout(killer);
      let maxRssKb = treePeak;
      let cpuS = null;
      if (HAVE_TIME && !timedOut) {
        const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ');
        maxRssKb = Number(last[0]);
        cpuS = Number(last[1]) + Number(last[2]);
      }
      rmSync(timeFile, { force: true });
      done({ status, timedOut, wallMs, maxRssKb, treeRssKb: Math.max(treePeak, maxRssKb), cpuS, stdout, stderr });
    });
  });
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const mb = (kb) => kb / 1024;

/** The medians of a tool's runs of one size (GNU time's CPU seconds when it is there). */
export function summarise(samples) {
  return {
    wallMs: median(samples.map((x) => x.wallMs)),
    runs: samples.length,
    wallMsRuns: samples.map((x) => Math.round(x.wallMs)),
    peakMb: mb(median(samples.map((x) => x.maxRssKb))),
    treePeakMb: mb(median(samples.map((x) => x.treeRssKb))),
    cpuS: samples[0].cpuS === null ? null : median(samples.map((x) => x.cpuS)),
  };
}

// ---------------------------------------------------------------------------------------------
// Least squares: log(y) = a + b·log(networks) + c·log(firewalls).

function solve3(m, v) {
  // Gaussian elimination on a 3×3 system.
  const a = m.map((row, i) => [...row, v[i]]);
  for (let i = 0; i < 3; i++) {
    let p = i;
    for (let r = i + 1; r < 3; r++) if (Math.abs(a[r][i]) > Math.abs(a[p][i])) p = r;
    [a[i], a[p]] = [a[p], a[i]];
    if (Math.abs(a[i][i]) < 1e-12) return null;
    for (let r = 0; r < 3; r++) {
      if (r === i) continue;
      const f = a[r][i] / a[i][i];
      for (let c = i; c < 4; c++) a[r][c] -= f * a[i][c];
    }
  }
  return a.map((row, i) => row[3] / row[i]);
}

export function fitExponents(points) {
  // points: { n, f, y } with y > 0. With a single value of an axis its exponent is undefined.
  const usable = points.filter((p) => p.y > 0);
  const ns = new Set(usable.map((p) => p.n));
  const fs = new Set(usable.map((p) => p.f));
  const cols = [() => 1];
  if (ns.size > 1) cols.push((p) => Math.log(p.n));
  if (fs.size > 1) cols.push((p) => Math.log(p.f));
  const k = cols.length;
  const m = Array.from({ length: 3 }, (_, i) => Array.from({ length: 3 }, (_, j) => (i === j && (i >= k || j >= k) ? 1 : 0)));
  const v = [0, 0, 0];
  for (const p of usable) {
    const x = cols.map((c) => c(p));
    for (let i = 0; i < k; i++) {
      v[i] += x[i] * Math.log(p.y);
      for (let j = 0; j < k; j++) m[i][j] += x[i] * x[j];
    }
  }
  const s = solve3(m, v);
  if (!s) return { networks: null, firewalls: null };
  let i = 1;
  return { networks: ns.size > 1 ? s[i++] : null, firewalls: fs.size > 1 ? s[i++] : null };
}

// ---------------------------------------------------------------------------------------------
// Numbers in the report.

export const fmt = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
export const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? '–' : `${fmt(a / b, 2)}`);
export const exp = (x) => (x === null || x === undefined ? '–' : x.toFixed(2));
