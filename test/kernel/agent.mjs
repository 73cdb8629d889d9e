// Traffic agent: one long-lived process per network namespace, driven by JSON
// lines on stdin, answering JSON lines on stdout. Spawning `ip netns exec node`
// per probe costs ~50 ms; a resident agent makes a probe cost one round trip.
//
// Requests:  {id, cmd: 'listen'|'unlisten', proto, port}
//            {id, cmd: 'probe', proto, family, dst, port, srcPort?, token, timeoutMs}
//            {id, cmd: 'seen', proto, port, token, peerPort}
//            {id, cmd: 'ping'}
// Replies:   {id, ok: true, ...} | {id, ok: false, error}
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import { execFile } from 'node:child_process';
import { createInterface } from 'node:readline';

const listeners = new Map(); // `${proto}/${port}` -> { close() }
const tokensSeen = new Set(); // tokens that reached a listener (TCP line or UDP datagram)
const tcpPeers = new Set(); // `${localPort}/${peerPort}` of accepted TCP connections
const MAX_MEMORY = 50_000;

function remember(set, key) {
  if (set.size > MAX_MEMORY) set.clear();
  set.add(key);
}

function send(msg) {
  process.stdout.write(JSON.stringify(msg) + '\n');
}

// ---- servers ------------------------------------------------------------

async function listenTcp(port) {
  const server = net.createServer((sock) => {
    remember(tcpPeers, `${port}/${sock.remotePort}`);
    sock.setNoDelay(true);
    sock.on('error', () => {}); // clients close with RST on purpose
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        remember(tokensSeen, line);
        sock.write(line + '\n');
      }
    });
  });
  // One dual-stack socket: IPv4 peers show up as ::ffff:a.b.c.d.
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '::', ipv6Only: false, backlog: 511 }, resolve);
  });
  return { close: () => server.close() };
}

// UDP replies from a wildcard socket take their source address from the
// routing table, which may not be the address the client targeted (so the
// reply would not match conntrack). Binding each local address separately
// makes every reply come from exactly the address that was asked.
async function listenUdp(port) {
  const addrs = Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a && !(a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80')));
  const sockets = [];
  for (const a of addrs) {
    const s = dgram.createSocket({ type: a.family === 'IPv6' ? 'udp6' : 'udp4', reuseAddr: true });
    s.on('message', (msg, rinfo) => {
      remember(tokensSeen, msg.toString('utf8'));
      s.send(msg, rinfo.port, rinfo.address);
    });
    s.on('error', () => {});
    await new Promise((resolve, reject) => {
      s.once('error', reject);
      s.bind({ port, address: a.address, exclusive: true }, resolve);
    });
    sockets.push(s);
  }
  return { close: () => sockets.forEach((s) => s.close()) };
}

// ---- clients ------------------------------------------------------------

function probeTcp({ family, dst, port, srcPort, token, timeoutMs }) {
  return new Promise((resolve) => {
    let stage = 'connect';
    let done = false;
    let buf = '';
    const opts = { host: dst, port, family, noDelay: true };
    if (srcPort) Object.assign(opts, { localPort: srcPort, localAddress: family === 6 ? '::' : '0.0.0.0' });
    const sock = net.connect(opts);
    const finish = (outcome, error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // RST instead of FIN: no TIME_WAIT on either end, so a fixed source
      // port can be reused immediately by the next probe.
      if (stage === 'echo' && !sock.destroyed) sock.resetAndDestroy();
      else sock.destroy();
      resolve({ outcome, stage, error });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    sock.on('connect', () => {
      stage = 'echo';
      sock.write(token + '\n');
    });
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      if (buf.split('\n').includes(token)) finish('delivered');
    });
    sock.on('error', (e) => finish(errorOutcome(e), e.code ?? String(e.message)));
    sock.on('close', () => finish('closed'));
  });
}

function probeUdp({ family, dst, port, srcPort, token, timeoutMs }) {
  return new Promise((resolve) => {
    const sock = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', reuseAddr: true });
    let done = false;
    const finish = (outcome, error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      resolve({ outcome, stage: 'echo', error });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    sock.on('message', (msg) => {
      if (msg.toString('utf8') === token) finish('delivered');
    });
    sock.on('error', (e) => finish(errorOutcome(e), e.code ?? String(e.message)));
    sock.bind({ port: srcPort ?? 0, address: family === 6 ? '::' : '0.0.0.0' }, () => {
      sock.send(token, port, dst, (err) => err && finish(errorOutcome(err), err.code));
    });
  });
}

function errorOutcome(e) {
  switch (e.code) {
    case 'ECONNREFUSED':
    case 'ECONNRESET':
      return 'refused';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EACCES':
    case 'EPERM':
      return 'unreachable';
    default:
      return 'error';
  }
}

// A dropped SYN-ACK leaves the server's half-open connection in SYN-RECV:
// the request arrived, only the reply was lost.
function tcpSynRecv(port, peerPort) {
  return new Promise((resolve) => {
    execFile('ss', ['-Hnt', 'state', 'syn-recv'], (err, stdout) => {
      if (err) return resolve(false);
      resolve(
        stdout.split('\n').some((line) => {
          const cols = line.trim().split(/\s+/);
          const local = cols.at(-2) ?? '';
          const peer = cols.at(-1) ?? '';
          return local.endsWith(`:${port}`) && peer.endsWith(`:${peerPort}`);
        }),
      );
    });
  });
}

// ---- dispatch -----------------------------------------------------------

async function handle(req) {
  switch (req.cmd) {
    case 'ping':
      return {};
    case 'listen': {
      const key = `${req.proto}/${req.port}`;
      if (!listeners.has(key)) listeners.set(key, await (req.proto === 'tcp' ? listenTcp : listenUdp)(req.port));
      return {};
    }
    case 'unlisten': {
      const key = `${req.proto}/${req.port}`;
      listeners.get(key)?.close();
      listeners.delete(key);
      return {};
    }
    case 'probe':
      return req.proto === 'tcp' ? probeTcp(req) : probeUdp(req);
    case 'seen': {
      if (tokensSeen.has(req.token)) return { seen: true, how: 'data' };
      if (req.proto === 'tcp' && req.peerPort) {
        if (tcpPeers.has(`${req.port}/${req.peerPort}`)) return { seen: true, how: 'accepted' };
        if (await tcpSynRecv(req.port, req.peerPort)) return { seen: true, how: 'syn-recv' };
      }
      return { seen: false };
    }
    default:
      throw new Error(`unknown command ${req.cmd}`);
  }
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (!line.trim()) return;
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    return send({ id: null, ok: false, error: `bad json: ${line}` });
  }
  handle(req).then(
    (res) => send({ id: req.id, ok: true, ...res }),
    (err) => send({ id: req.id, ok: false, error: String(err?.message ?? err) }),
  );
});
// Parent gone (or finished): exit, so the namespace can really disappear.
rl.on('close', () => process.exit(0));
send({ id: 0, ok: true, ready: true });
