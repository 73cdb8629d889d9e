import { describe, expect, it } from 'vitest';
import { diagnosticsOf, groups } from '../helpers.js';

/** MSGR027 (8-port ranges are short for later Communicator releases) is beside the point here. */
const about = (text: string) => diagnosticsOf(text).filter((d) => d.code !== 'MSGR027');

describe('the media range of peers', () => {
  it('needs no assumption when every peer is in a clients block', () => {
    expect(about(groups())).toEqual([]);
  });

  it('warns (MSGR038) that peers in no clients block are assumed to use the range of the block naming them', () => {
    const d = about(groups({ a: 'features audio\n    media ports 50000-50007\n    peers ab, g' }));
    expect(d).toMatchObject([
      {
        code: 'MSGR038',
        severity: 'warning',
        line: 15,
        column: 5,
        message: 'the peers of clients a include 192.0.2.0/24, which no clients block describes: calls with them are opened on the assumption that they use the media range of a, 50000-50007',
        hint: 'make sure those machines use MinMediaPort 50000 and MaxMediaPort 50007, or describe them in a clients block with their own `media ports`',
      },
    ]);
  });

  it('says so when that assumed range is the 1024-65535 fallback, and lists only a few blocks', () => {
    const d = about(groups({
      networks: 'network many = 192.0.2.0/25, 198.51.100.0/25, 203.0.113.0/25, 2001:db8:99::/48',
      a: 'features audio\n    peers many',
    })).find((x) => x.code === 'MSGR038');
    expect(d?.message).toMatch(/include 192\.0\.2\.0\/25, 198\.51\.100\.0\/25, 203\.0\.113\.0\/25 and 1 more, .* range of a, 1024-65535 \(unset\)$/);
  });

  it('does not warn without audio or video: no call needs a range', () => {
    expect(about(groups({ a: 'features whiteboard\n    peers ab, g', b: 'features audio\n    media ports 52000-52007\n    peers b' }))).toEqual([]);
  });

  it('warns (MSGR039) about peers that are clients without audio or video: no call reaches them', () => {
    const d = about(groups({ b: 'features im\n    peers b' }));
    expect(d).toMatchObject([
      { code: 'MSGR039', severity: 'warning', line: 15, message: 'clients a have clients b among their peers, which enable neither audio nor video: no call between them is opened', hint: expect.stringMatching(/^add audio or video to the features of clients b/) },
    ]);
  });
});
