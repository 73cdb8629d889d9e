import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/compile.js';
import { parsePolicy } from '../../src/parse/parse.js';
import { resolvePolicy } from '../../src/resolve/resolve.js';
import { deriveFlows } from '../../src/flows/flows.js';
import { CATALOG } from '../../src/catalog/catalog.js';
import { policy } from '../helpers.js';

function flowsOf(text: string) {
  const { model, diagnostics } = resolvePolicy(parsePolicy(text, 't').ast!, 't');
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return deriveFlows(model).map((f) => ({
    id: f.catalogId,
    from: f.from.name,
    to: f.to.name,
    proto: f.protocol,
    dst: f.dstPorts.ranges.map((r) => `${r.from}-${r.to}`).join(','),
    src: f.srcPorts?.ranges.map((r) => `${r.from}-${r.to}`).join(','),
  }));
}

describe('the catalog', () => {
  it('cites a source for every fact', () => {
    for (const entry of CATALOG) expect(entry.source).toMatch(/KB 903056/);
  });
});

describe('flows', () => {
  it('over TLS: only the client opens a connection to the server (answers ride on it)', () => {
    expect(flowsOf(policy({}))).toEqual([{ id: 'sip-tls', from: 'cl', to: 'srv', proto: 'tcp', dst: '5061-5061', src: undefined }]);
  });

  it('over TCP: the server also opens connections to the clients\' dynamic SIP range', () => {
    const f = flowsOf(policy({ server: 'sip tcp port 5070', clients: 'server srv via tcp\n    features im\n    sip dynamic ports 7000-7099' }));
    expect(f).toEqual([
      { id: 'sip-tcp', from: 'cl', to: 'srv', proto: 'tcp', dst: '5070-5070', src: undefined },
      { id: 'sip-tcp-notify', from: 'srv', to: 'cl', proto: 'tcp', dst: '7000-7099', src: undefined },
    ]);
  });

  it('over TCP without a SIP range: the server may connect to any port 1024-65535', () => {
    const f = flowsOf(policy({ server: 'sip tcp', clients: 'server srv via tcp\n    features im' }));
    expect(f[1]).toMatchObject({ id: 'sip-tcp-notify', dst: '1024-65535' });
  });

  it('peer-to-peer features open from either side; media pins source and destination ports', () => {
    const f = flowsOf(policy({ clients: 'server srv via tls\n    features whiteboard, file-transfer, video\n    media ports 50000-50039\n    peers pt' }));
    expect(f.slice(1)).toEqual([
      { id: 't120', from: 'cl', to: 'pt', proto: 'tcp', dst: '1503-1503', src: undefined },
      { id: 't120', from: 'pt', to: 'cl', proto: 'tcp', dst: '1503-1503', src: undefined },
      { id: 'file-transfer', from: 'cl', to: 'pt', proto: 'tcp', dst: '6891-6900', src: undefined },
      { id: 'file-transfer', from: 'pt', to: 'cl', proto: 'tcp', dst: '6891-6900', src: undefined },
      { id: 'rtp', from: 'cl', to: 'pt', proto: 'udp', dst: '50000-50039', src: '50000-50039' },
      { id: 'rtp', from: 'pt', to: 'cl', proto: 'udp', dst: '50000-50039', src: '50000-50039' },
    ]);
  });

  it('peers default to the clients themselves', () => {
    const f = flowsOf(policy({ clients: 'server srv via tls\n    features whiteboard' }));
    expect(f[1]).toMatchObject({ id: 't120', from: 'cl', to: 'cl' });
  });

  it('keep the policy lines that produced them', () => {
    const { ir } = compilePolicy(policy({ clients: 'server srv via tls\n    features im, audio\n    media ports 50000-50039' }), 't');
    expect(ir?.firewalls[0]?.rules[0]?.origins).toEqual([{ line: 9, column: 5, text: 'clients cl: server srv via tls' }]);
  });
});
