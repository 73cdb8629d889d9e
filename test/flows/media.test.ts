import { describe, expect, it } from 'vitest';
import { deriveFlows } from '../../src/flows/flows.js';
import { parsePolicy } from '../../src/parse/parse.js';
import { resolvePolicy } from '../../src/resolve/resolve.js';
import { cidrTexts } from '../../src/addresses/set.js';
import { groups } from '../helpers.js';

function resolved(text: string) {
  const r = resolvePolicy(parsePolicy(text, 't').ast!, 't');
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r;
}

/** Media flows (of one clients block's) as `from>to sport>dport`, addresses as CIDRs (IPv4 only, for brevity). */
function media(text: string, of?: string): string[] {
  const { model } = resolved(text);
  const flows = deriveFlows({ ...model, clients: model.clients.filter((c) => of === undefined || c.name === of) }).filter((f) => f.catalogId === 'rtp');
  const ports = (p?: { ranges: { from: number; to: number }[] }) => p!.ranges.map((r) => `${r.from}-${r.to}`).join(',');
  return flows.map((f) => `${cidrTexts(f.from.set, 4).join(',')}>${cidrTexts(f.to.set, 4).join(',')} ${ports(f.srcPorts)}>${ports(f.dstPorts)}`);
}

const A = '10.40.0.0/16';
const B = '10.41.0.0/16';
const G = '192.0.2.0/24';

/**
 * Media between clients blocks: RTP runs from the sender's media port to the receiver's, so each
 * side of a media flow carries the range its own machines use (their clients block's Group
 * Policy), and the peers of a block split by range.
 */
describe('media between clients blocks', () => {
  it("runs from the sender's range to the receiver's, both ways, as well as within each block", () => {
    expect(media(groups())).toEqual([
      `${A}>${A} 50000-50007>50000-50007`,
      `${A}>${A} 50000-50007>50000-50007`,
      `${A}>${B} 50000-50007>52000-52007`,
      `${B}>${A} 52000-52007>50000-50007`,
      `${B}>${A} 52000-52007>50000-50007`,
      `${A}>${B} 50000-50007>52000-52007`,
      `${B}>${B} 52000-52007>52000-52007`,
      `${B}>${B} 52000-52007>52000-52007`,
    ]);
  });

  it('keeps the peers whole when every part uses one range (the common case: one rule, not one per block)', () => {
    const text = groups({ b: 'features audio, video\n    media ports 50000-50007\n    peers ab' });
    const { model } = resolved(text);
    expect(model.clients.map((c) => c.mediaPeers.map((p) => p.name))).toEqual([['ab'], ['ab']]);
    // The very set of the peers: later stages cache their set arithmetic by object.
    expect(model.clients[0]!.mediaPeers[0]!.set).toBe(model.clients[0]!.peers.set);
  });

  it('assumes the range of the naming block for peers in no clients block', () => {
    const text = groups({ a: 'features audio\n    media ports 50000-50007\n    peers ab, g' });
    expect(media(text, 'a')).toEqual([
      `${A}>${A},${G} 50000-50007>50000-50007`,
      `${A},${G}>${A} 50000-50007>50000-50007`,
      `${A}>${B} 50000-50007>52000-52007`,
      `${B}>${A} 52000-52007>50000-50007`,
    ]);
    const { model } = resolved(text);
    expect(model.clients[0]!.mediaPeers.map((p) => [p.name, p.owners])).toEqual([['a+ab+g-unmanaged', ['a']], ['b', ['b']]]);
  });

  it('splits a peer network that holds part of a clients block, and gives that part the block\'s range', () => {
    const text = groups({ networks: 'network half = 10.41.0.0/17, 192.0.2.0/24', a: 'features audio\n    media ports 50000-50007\n    peers half' });
    expect(media(text, 'a')).toEqual([
      `${A}>10.41.0.0/17 50000-50007>52000-52007`,
      `10.41.0.0/17>${A} 52000-52007>50000-50007`,
      `${A}>${G} 50000-50007>50000-50007`,
      `${G}>${A} 50000-50007>50000-50007`,
    ]);
  });

  it('gives an address in two overlapping clients blocks both ranges, as on the clients\' own side', () => {
    const text = groups({
      networks: 'network lab = 10.41.7.0/24',
      a: 'features audio\n    media ports 50000-50007\n    peers b',
      extra: 'clients lab {\n    server srv via tls\n    features audio\n    media ports 54000-54007\n    peers lab\n  }',
    });
    expect(media(text, 'a')).toEqual([
      `${A}>${B} 50000-50007>52000-52007`,
      `${B}>${A} 52000-52007>50000-50007`,
      `${A}>10.41.7.0/24 50000-50007>54000-54007`,
      `10.41.7.0/24>${A} 54000-54007>50000-50007`,
    ]);
  });

  it('opens no media to clients that enable neither audio nor video', () => {
    const text = groups({ b: 'features im\n    peers ab' });
    expect(media(text)).toEqual([`${A}>${A} 50000-50007>50000-50007`, `${A}>${A} 50000-50007>50000-50007`]);
  });

  it('traces each side\'s range to its own media statement', () => {
    const flow = deriveFlows(resolved(groups()).model).find((f) => f.catalogId === 'rtp' && f.to.name === 'b')!;
    expect(flow.origins.map((o) => o.text)).toEqual([
      'clients a: features audio',
      'clients a: features video',
      'clients a: peers ab',
      'clients a: media ports 50000-50007',
      'clients b: media ports 52000-52007',
    ]);
    expect(flow.srcPorts?.label).toBe('media');
    expect(flow.dstPorts.label).toBe('media_b');
  });
});
