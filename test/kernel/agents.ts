// Client side of agent.mjs: one resident agent per namespace, reached over
// JSON lines. Agents are owned by a topology and stopped in its destroy().
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Topology } from './topology.js';

// `ip netns exec` changes nothing about the cwd, but be explicit: absolute.
const AGENT_PATH = fileURLToPath(new URL('./agent.mjs', import.meta.url));

type Reply = { id: number; ok: boolean; error?: string } & Record<string, unknown>;

export class Agent {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, (r: Reply) => void>();
  private readonly listening = new Map<string, Promise<void>>();
  private nextId = 1;
  private stderr = '';
  private exited = false;
  readonly ready: Promise<void>;

  constructor(readonly ns: string) {
    this.child = spawn('ip', ['netns', 'exec', ns, process.execPath, AGENT_PATH], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-4000)));
    this.child.stdin.on('error', () => {});
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise((res, rej) => ((readyResolve = res), (readyReject = rej)));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as Reply;
      if (msg.id === 0) return readyResolve();
      const cb = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      cb?.(msg);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      const err = `agent in ${ns} exited (${code ?? signal}): ${this.stderr.trim()}`;
      readyReject(new Error(err));
      for (const cb of this.pending.values()) cb({ id: -1, ok: false, error: err });
      this.pending.clear();
    });
  }

  async request<T extends object>(msg: Record<string, unknown>, timeoutMs = 10_000): Promise<T & Reply> {
    await this.ready;
    if (this.exited) throw new Error(`agent in ${this.ns} is gone: ${this.stderr.trim()}`);
    const id = this.nextId++;
    const reply = await new Promise<Reply>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ id, ok: false, error: `agent in ${this.ns} did not answer ${String(msg.cmd)} within ${timeoutMs} ms` });
      }, timeoutMs);
      this.pending.set(id, (r) => (clearTimeout(timer), resolve(r)));
      this.child.stdin.write(JSON.stringify({ ...msg, id }) + '\n');
    });
    if (!reply.ok) throw new Error(reply.error ?? 'agent error');
    return reply as T & Reply;
  }

  /** Idempotent: concurrent callers share one listen request. */
  listen(proto: 'tcp' | 'udp', port: number): Promise<void> {
    const key = `${proto}/${port}`;
    let p = this.listening.get(key);
    if (!p) {
      p = this.request({ cmd: 'listen', proto, port }).then(() => undefined);
      p.catch(() => this.listening.delete(key));
      this.listening.set(key, p);
    }
    return p;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((res) => this.child.once('exit', () => res()));
    this.child.stdin.end(); // agent exits when stdin closes
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 1000);
    await gone;
    clearTimeout(timer);
  }
}

const pools = new WeakMap<Topology, Map<string, Agent>>();

/** The agent living in `host`'s namespace, started on first use. */
export async function agentFor(topo: Topology, host: string): Promise<Agent> {
  let pool = pools.get(topo);
  if (!pool) {
    const fresh = new Map<string, Agent>();
    pools.set(topo, fresh);
    topo.addCleanup(() => Promise.all([...fresh.values()].map((a) => a.close())));
    pool = fresh;
  }
  let agent = pool.get(host);
  if (!agent) {
    agent = new Agent(topo.nsName(host));
    pool.set(host, agent);
  }
  await agent.ready;
  return agent;
}
