import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errnoOf, failure, OutputError } from './failure.js';
import { exists, fileHash } from './journal.js';

/**
 * What compiles wrote into an output directory, so a later compile can find the files of
 * firewalls and targets its policy no longer has. Its content depends only on the files (no
 * time, no host), so it can be kept in git beside them.
 */
export const MANIFEST = '.msgrfw-manifest.json';

export interface ManifestEntry {
  file: string;
  deployment: string;
  firewall: string;
  target: string;
  sha256: string;
}

/** Which deployment, firewall and target an output file belongs to. */
export interface Owner {
  deployment: string;
  firewall: string;
  target: string;
}

/** A policy compiled in the run: its deployment, and every firewall with its targets (to say why a file is stale). */
export interface ManifestPolicy {
  deployment: string;
  firewalls: readonly { name: string; targets: readonly string[] }[];
}

/**
 * A compile's part of a directory: the files of its deployments (one per policy compiled),
 * narrowed as the run was (`-f`, `-t`). Only entries in scope can be stale; the rest of the
 * manifest is kept as it is.
 */
export interface ManifestScope {
  dir: string;
  policies: readonly ManifestPolicy[];
  firewall?: string;
  target?: string;
  /** Whether the run writes the clients' Group Policy files (their entries name the clients block as `firewall`, target `gpo`). */
  groupPolicy?: boolean;
}

/** The target of a Group Policy file's entry (`targets/selection.ts`' GROUP_POLICY). */
const GROUP_POLICY_TARGET = 'gpo';

export interface StaleFile {
  entry: ManifestEntry;
  reason: string;
}

export interface ManifestPlan {
  /** The new manifest, or undefined when there is nothing to record and there was no manifest. */
  text: string | undefined;
  /** Stale files as msgrfw wrote them: removed in the commit. */
  remove: StaleFile[];
  /** Stale files changed since msgrfw wrote them (or no longer plain files): kept, and reported. */
  keep: StaleFile[];
}

const NOTE = 'files msgrfw compiled into this directory: a later compile here removes those of firewalls and targets its policy no longer has';

export function readManifest(dir: string, shown: string): ManifestEntry[] | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, MANIFEST), 'utf8');
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw failure('read', join(shown, MANIFEST), e);
  }
  const entries = parseManifest(text);
  if (typeof entries === 'string') {
    throw new OutputError(
      `cannot write into ${shown}: ${join(shown, MANIFEST)} is not a manifest msgrfw can read: ${entries}` +
        `\n  repair it (a merge conflict?) or remove it; without it, files of firewalls removed from the policy are no longer found`,
    );
  }
  return entries;
}

/** The entries of a manifest, or what is wrong with it. A manifest names only plain files of its directory. */
export function parseManifest(text: string): ManifestEntry[] | string {
  let doc: { version?: unknown; files?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (e) {
    return `not JSON (${(e as Error).message})`;
  }
  if (typeof doc !== 'object' || doc === null || doc.version !== 1) return 'not version 1';
  if (!Array.isArray(doc.files)) return '"files" is not a list';
  for (const [i, f] of (doc.files as Partial<ManifestEntry>[]).entries()) {
    const fields = ['file', 'deployment', 'firewall', 'target', 'sha256'] as const;
    if (typeof f !== 'object' || f === null || fields.some((k) => typeof f[k] !== 'string')) return `files[${i}] lacks one of ${fields.join(', ')}`;
    if (!/^[^./\0][^/\0]*$/.test(f.file!)) return `files[${i}] names ${JSON.stringify(f.file)}, not a plain file of this directory`;
    if (!/^[0-9a-f]{64}$/.test(f.sha256!)) return `files[${i}] has no SHA-256`;
  }
  return doc.files as ManifestEntry[];
}

function render(entries: ManifestEntry[]): string {
  const line = (e: ManifestEntry) =>
    `    ${JSON.stringify({ file: e.file, deployment: e.deployment, firewall: e.firewall, target: e.target, sha256: e.sha256 })}`;
  const sorted = [...entries].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return `{\n  "about": ${JSON.stringify(NOTE)},\n  "version": 1,\n  "files": [\n${sorted.map(line).join(',\n')}${sorted.length ? '\n' : ''}  ]\n}\n`;
}

const inScope = (e: ManifestEntry, scope: ManifestScope) =>
  scope.policies.some((p) => p.deployment === e.deployment) &&
  (e.target === GROUP_POLICY_TARGET
    ? scope.groupPolicy === true
    : (scope.firewall === undefined || e.firewall === scope.firewall) && (scope.target === undefined || e.target === scope.target));

function staleBecause(e: ManifestEntry, scope: ManifestScope): string {
  if (e.target === GROUP_POLICY_TARGET) return `clients ${e.firewall} no longer set a Group Policy range`;
  const policy = scope.policies.find((p) => p.deployment === e.deployment);
  const fw = policy?.firewalls.find((f) => f.name === e.firewall);
  if (!fw) return `firewall ${e.firewall} is no longer in the policy`;
  if (scope.target === undefined && !fw.targets.includes(e.target)) return `firewall ${e.firewall} no longer lists target ${e.target}`;
  return `target ${e.target} no longer writes this file for firewall ${e.firewall}`;
}

/**
 * The new manifest after a run that writes `written` into the directory: the entries of the
 * files written, every entry out of the run's scope as it was, and stale entries (in scope, not
 * written) only while their file is still there and changed (a file as msgrfw wrote it is removed).
 */
export function planManifest(old: readonly ManifestEntry[] | undefined, written: readonly (Owner & { file: string; sha256: string })[], scope: ManifestScope): ManifestPlan {
  const writing = new Set(written.map((w) => w.file));
  const kept: ManifestEntry[] = [];
  const remove: StaleFile[] = [];
  const keep: StaleFile[] = [];
  for (const e of old ?? []) {
    if (writing.has(e.file)) continue;
    if (!inScope(e, scope)) {
      kept.push(e);
      continue;
    }
    const path = join(scope.dir, e.file);
    if (!exists(path)) continue; // already gone: nothing to remove or track
    const stale = { entry: e, reason: staleBecause(e, scope) };
    if (fileHash(path) === e.sha256) {
      remove.push(stale);
    } else {
      keep.push(stale);
      kept.push(e);
    }
  }
  const entries = [...kept, ...written.map((w) => ({ file: w.file, deployment: w.deployment, firewall: w.firewall, target: w.target, sha256: w.sha256 }))];
  const text = old === undefined && entries.length === 0 ? undefined : render(entries);
  return { text, remove, keep };
}
