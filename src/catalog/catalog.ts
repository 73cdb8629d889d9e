import type { Feature, Protocol, Transport } from '../resolve/model.js';

/**
 * The Messenger facts as data. Each entry is one kind of connection: who opens it, to which
 * ports, for which features, and where the fact comes from (see shared PORTS.md).
 */
export type Role = 'client' | 'server' | 'peer';

/**
 * A port set is either fixed by the protocol or one of the policy's parameters. The SIP dynamic
 * range is the clients'; the media range is that of the side whose port it is (a sender's source
 * port lies in the sender's range, a receiver's destination port in the receiver's).
 */
export type PortSpec =
  | { kind: 'fixed'; from: number; to: number; label: string }
  | { kind: 'server-sip-port' }
  | { kind: 'sip-dynamic-range' }
  | { kind: 'media-range' };

export interface CatalogEntry {
  id: string;
  summary: string;
  /** Any of these features enables the entry. */
  features: readonly Feature[];
  /** Only when the clients use this SIP transport. */
  transport?: Transport;
  protocol: Protocol;
  initiator: Role;
  responder: Role;
  dstPorts: PortSpec;
  srcPorts?: PortSpec;
  source: string;
}

const ALL: readonly Feature[] = ['im', 'presence', 'whiteboard', 'application-sharing', 'file-transfer', 'audio', 'video'];

export const CATALOG: readonly CatalogEntry[] = [
  {
    id: 'sip-tls',
    summary: 'SIP over TLS: the client connects to the server; answers come back over that connection',
    // Every feature is negotiated through SIP on the server, so any enabled feature needs signalling.
    features: ALL,
    transport: 'tls',
    protocol: 'tcp',
    initiator: 'client',
    responder: 'server',
    dstPorts: { kind: 'server-sip-port' },
    source: 'KB 903056, "TLS mode": server listens on 5061/tcp; it sends to the client only over the client\'s TLS session',
  },
  {
    id: 'sip-tcp',
    summary: 'SIP over TCP (clear text): the client connects to the server',
    features: ALL,
    transport: 'tcp',
    protocol: 'tcp',
    initiator: 'client',
    responder: 'server',
    dstPorts: { kind: 'server-sip-port' },
    source: 'KB 903056, "TCP mode": the client sends to the default port of the server, 5060',
  },
  {
    id: 'sip-tcp-notify',
    summary: "SIP over TCP: the server opens new connections to the client's dynamic SIP port for notifications",
    features: ALL,
    transport: 'tcp',
    protocol: 'tcp',
    initiator: 'server',
    responder: 'client',
    dstPorts: { kind: 'sip-dynamic-range' },
    source: 'KB 903056, "TCP mode": the server sends notifications to a dynamic port of the client; range set by Group Policy MinSipDynamicPort/MaxSipDynamicPort',
  },
  {
    id: 't120',
    summary: 'T.120 whiteboard and application sharing, peer to peer on 1503/tcp',
    features: ['whiteboard', 'application-sharing'],
    protocol: 'tcp',
    initiator: 'peer',
    responder: 'peer',
    dstPorts: { kind: 'fixed', from: 1503, to: 1503, label: 't120' },
    source: 'KB 903056, "Whiteboard and Application Sharing": T.120, fixed port 1503/tcp; which side opens is not stated, so either may',
  },
  {
    id: 'file-transfer',
    summary: 'file transfer (MSNFTP, "TFTP over TCP" in the KB), peer to peer on 6891-6900/tcp',
    features: ['file-transfer'],
    protocol: 'tcp',
    initiator: 'peer',
    responder: 'peer',
    dstPorts: { kind: 'fixed', from: 6891, to: 6900, label: 'file_transfer' },
    source: 'KB 903056, "File transfer": fixed range 6891-6900/tcp, one port per simultaneous transfer; either side may serve',
  },
  {
    id: 'rtp',
    summary: "RTP/RTCP audio and video, UDP from the sender's media port to the receiver's, both peers send",
    features: ['audio', 'video'],
    protocol: 'udp',
    initiator: 'peer',
    responder: 'peer',
    dstPorts: { kind: 'media-range' },
    srcPorts: { kind: 'media-range' },
    source: 'KB 903056, "Audio and video": RTP/RTCP UDP pairs in the Group Policy range MinMediaPort..MaxMediaPort (HKLM\\SOFTWARE\\Policies\\Microsoft\\Communicator\\PortRange)',
  },
];

/** Whether an entry's ports lie in the media range (so each side's own range matters). */
export const usesMediaRange = (e: CatalogEntry) => e.dstPorts.kind === 'media-range' || e.srcPorts?.kind === 'media-range';

/** The features whose traffic runs in the Group Policy media range: audio and video. */
export const MEDIA_FEATURES: readonly Feature[] = [...new Set(CATALOG.filter(usesMediaRange).flatMap((e) => e.features))];
