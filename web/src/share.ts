/**
 * Share links: what the page shows travels in the URL's fragment (`#v1.` and the state as JSON,
 * compressed with deflate-raw and written in base64url), so a link reproduces the sender's view
 * and nothing is sent to any server (browsers never send the fragment). Reading a link is
 * defensive: its length, its decompressed size and every field are checked, and a broken link
 * is a message, never an exception or anything run.
 */
export interface Shared {
  policy: string;
  /** The version `diff` compares with: a bundled example by name, or a text. */
  base?: { example: string } | { text: string };
  firewall?: string;
  packet?: string;
}

const PREFIX = 'v1.';
/** A policy is at most 4 MiB (MSGR050); a link carries it and at most as much again as its base. */
const MAX_JSON_BYTES = 9 * 1024 * 1024;
/** Far beyond what any browser keeps in an address bar, and still bounded. */
const MAX_FRAGMENT = 4 * 1024 * 1024;

export async function encodeShared(state: Shared): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(state));
  const compressed = await collect(new Blob([json]).stream().pipeThrough(new CompressionStream('deflate-raw')), Infinity);
  return PREFIX + toBase64Url(compressed);
}

export type Decoded = { ok: true; state: Shared } | { ok: false; problem: string };

/** `fragment` is the URL's hash without `#`. */
export async function decodeShared(fragment: string, examples: readonly string[]): Promise<Decoded> {
  const broken = (why: string): Decoded => ({ ok: false, problem: `this link is broken (${why}): the page shows the example instead` });
  if (!fragment.startsWith(PREFIX)) return broken('it is not a msgrfw playground link');
  const body = fragment.slice(PREFIX.length);
  if (body.length > MAX_FRAGMENT) return broken('it is too long');
  if (!/^[A-Za-z0-9_-]*$/.test(body)) return broken('it holds characters a link of this page never has; was it cut or changed?');
  let json: string;
  try {
    const bytes = fromBase64Url(body);
    const raw = await collect(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw')), MAX_JSON_BYTES);
    json = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch (e) {
    return broken(e instanceof TooLarge ? 'it unpacks to more than a policy can be' : 'it does not unpack; was it cut short?');
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return broken('its content is not what the page writes');
  }
  const state = sharedState(value, examples);
  return state ? { ok: true, state } : broken('its content is not what the page writes');
}

/** The state when `value` has exactly the shape the page writes; extra fields are ignored. */
function sharedState(value: unknown, examples: readonly string[]): Shared | undefined {
  if (!isRecord(value) || typeof value.policy !== 'string') return undefined;
  const state: Shared = { policy: value.policy };
  if (value.base !== undefined) {
    const base = value.base;
    if (isRecord(base) && typeof base.example === 'string' && examples.includes(base.example)) state.base = { example: base.example };
    else if (isRecord(base) && typeof base.text === 'string') state.base = { text: base.text };
    else return undefined;
  }
  for (const key of ['firewall', 'packet'] as const) {
    if (value[key] === undefined) continue;
    if (typeof value[key] !== 'string') return undefined;
    state[key] = value[key];
  }
  return state;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

class TooLarge extends Error {}

/** A stream's bytes, at most `limit` of them (a link must not unpack into gigabytes). */
async function collect(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw new TooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
