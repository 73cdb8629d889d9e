// The playground page: an editor for the policy, and beside it what msgrfw makes of it. Every
// pane is filled with textContent or DOM nodes, never with HTML built from policy text.
// First: it starts the compiler's worker before the editor's modules are evaluated.
import { compilerClient } from './client.js';
import examples from 'msgrfw:examples';
import { PolicyEditor } from './editor.js';
import { drawMermaid, loadMermaid } from './graphView.js';
import type { FileText, Part, Request, RunRequest, RunResult, TargetOutput } from './protocol.js';
import { decodeShared, encodeShared, type Shared } from './share.js';

const FIRST_EXAMPLE = 'contoso.msgr';
/** Typing pauses this long before a recompile: fewer runs of a large policy, no visible delay. */
const DEBOUNCE_MS = 120;
const FILE = 'policy.msgr';
const DEFAULT_PACKET = 'tcp 10.20.0.5:51000 -> 198.51.100.7:1503';

/** What each tab shows beyond the diagnostics: only that is made and sent (a large policy's IR is megabytes). */
const TAB_PARTS: Record<string, Part[]> = {
  problems: [],
  nftables: ['outputs'],
  iptables: ['outputs'],
  netsh: ['outputs'],
  pf: ['outputs'],
  gpo: ['groupPolicy'],
  ir: ['ir'],
  explain: ['explain'],
  diff: ['diff'],
  graph: ['graph'],
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string) => {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
};

interface Playground {
  /** Settles once the first result is on the page. */
  ready: Promise<void>;
  /** Results shown so far, and the last one. */
  results: number;
  last?: RunResult;
  /** The editor text the panes show results for. */
  shownFor?: string;
  /** Milliseconds from navigation start: the editor up, the first result shown. */
  timings: { editor?: number; firstResult?: number; graph?: number };
  /** The compiler's worker, for tests and the curious. */
  call<T>(request: Request): Promise<T>;
  editor: PolicyEditor;
}

declare global {
  interface Window {
    msgrfwPlayground: Playground;
    msgrfwGraphTest: { loadMermaid: typeof loadMermaid };
  }
}

class Page {
  private readonly compiler = compilerClient();
  private readonly editor: PolicyEditor;
  private base: NonNullable<Shared['base']> = { example: FIRST_EXAMPLE };
  private firewall: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private again = false;
  private tab = 'problems';
  private graphShown = '';
  readonly api: Playground;
  private settle!: () => void;

  constructor() {
    this.fillExamples();
    this.editor = new PolicyEditor($('editor'), examples[FIRST_EXAMPLE] ?? '', () => this.schedule());
    const ready = new Promise<void>((resolve) => (this.settle = resolve));
    this.api = { ready, results: 0, timings: { editor: performance.now() }, call: (r) => this.compiler.call(r), editor: this.editor };
    ($('packet') as HTMLInputElement).value = DEFAULT_PACKET;
    this.wire();
  }

  async start(): Promise<void> {
    if (location.hash.length > 1) await this.openLink(location.hash.slice(1));
    this.compileNow();
  }

  private fillExamples(): void {
    const select = $<HTMLSelectElement>('example');
    for (const name of Object.keys(examples).sort()) select.append(new Option(name, name, false, name === FIRST_EXAMPLE));
  }

  private wire(): void {
    $<HTMLSelectElement>('example').addEventListener('change', (e) => {
      const name = (e.target as HTMLSelectElement).value;
      this.base = { example: name };
      this.firewall = undefined;
      this.editor.setText(examples[name] ?? '');
      this.notice('');
    });
    $<HTMLSelectElement>('firewall').addEventListener('change', (e) => {
      this.firewall = (e.target as HTMLSelectElement).value;
      this.compileNow();
    });
    $('packet').addEventListener('input', () => this.schedule());
    $('graph-one').addEventListener('change', () => this.compileNow());
    $('share').addEventListener('click', () => void this.share());
    $('format').addEventListener('click', () => void this.format());
    for (const button of document.querySelectorAll<HTMLButtonElement>('#tabs button')) {
      button.addEventListener('click', () => this.showTab(button.dataset.tab!));
    }
    window.addEventListener('hashchange', () => {
      const fragment = location.hash.slice(1);
      if (fragment && fragment !== this.lastShared) void this.openLink(fragment).then(() => this.compileNow());
    });
  }

  private lastShared = '';

  /** Puts a shared state on the page; a broken link leaves the page as it is, with a message. */
  private async openLink(fragment: string): Promise<void> {
    const decoded = await decodeShared(fragment, Object.keys(examples));
    if (!decoded.ok) return this.notice(decoded.problem);
    const s = decoded.state;
    this.base = s.base ?? { text: s.policy };
    this.firewall = s.firewall;
    if (s.packet !== undefined) ($('packet') as HTMLInputElement).value = s.packet;
    if ('example' in this.base) $<HTMLSelectElement>('example').value = this.base.example;
    this.editor.setText(s.policy);
    this.notice('Opened from a link: this is the policy the sender saw.');
  }

  private async share(): Promise<void> {
    const state: Shared = { policy: this.editor.text, base: this.base, packet: ($('packet') as HTMLInputElement).value };
    if (this.firewall !== undefined) state.firewall = this.firewall;
    const fragment = await encodeShared(state);
    this.lastShared = fragment;
    const url = `${location.href.replace(/#.*$/, '')}#${fragment}`;
    history.replaceState(null, '', url);
    const box = $<HTMLInputElement>('share-link');
    box.value = url;
    box.hidden = false;
    box.select();
    try {
      await navigator.clipboard.writeText(url);
      this.notice('Link copied: it holds the policy itself (in the part after #, which browsers never send to a server).');
    } catch {
      this.notice('Copy the link above: it holds the policy itself (in the part after #, which browsers never send to a server).');
    }
  }

  private async format(): Promise<void> {
    const r = await this.compiler.call<{ text: string } | { problem: string }>({ kind: 'format', text: this.editor.text, file: FILE });
    if ('problem' in r) this.notice(`Cannot format: ${r.problem}.`);
    else if (r.text !== this.editor.text) this.editor.setText(r.text);
  }

  private notice(text: string): void {
    $('notice').textContent = text;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.compileNow(), DEBOUNCE_MS);
  }

  /** One compile at a time; edits made meanwhile are compiled next, as one. */
  private compileNow(): void {
    clearTimeout(this.timer);
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    const text = this.editor.text;
    const request: RunRequest = {
      text,
      file: FILE,
      packet: ($('packet') as HTMLInputElement).value,
      base: { file: this.baseName(), text: 'example' in this.base ? (examples[this.base.example] ?? '') : this.base.text },
      graphFirewallOnly: ($('graph-one') as HTMLInputElement).checked,
      want: TAB_PARTS[this.tab] ?? [],
    };
    if (this.firewall !== undefined) request.firewall = this.firewall;
    this.compiler
      .call<RunResult>({ kind: 'run', ...request })
      .then((result) => this.show(result, text))
      .catch((e: Error) => this.status(e.message, 'bad'))
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.compileNow();
        }
      });
  }

  private baseName(): string {
    return 'example' in this.base ? this.base.example : 'shared.msgr';
  }

  private show(r: RunResult, text: string): void {
    this.api.last = r;
    this.api.shownFor = text;
    this.editor.showDiagnostics(r.diagnostics, text);
    const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = r.diagnostics.length - errors;
    this.status(`${errors} error(s), ${warnings} warning(s) · compiled in ${Math.round(r.ms)} ms`, errors ? 'bad' : 'good');
    this.showProblems(r);
    this.showFirewalls(r);
    const compiled = r.firewalls.length > 0 || !r.diagnostics.some((d) => d.severity === 'error');
    const shows = (part: Part) => r.parts.includes(part);
    if (shows('outputs')) for (const target of ['nftables', 'iptables', 'netsh', 'pf'] as const) this.showTarget(target, r.outputs.find((o) => o.target === target), r, compiled);
    if (shows('groupPolicy')) this.showFiles($('out-gpo'), r.groupPolicy, compiled ? 'No clients block sets a port range its features need: there is no Group Policy file to deploy.' : undefined);
    if (shows('ir')) $('out-ir').textContent = r.ir ?? 'The policy has errors: there is no IR.';
    if (shows('explain')) this.showResult($('out-explain'), r.explain, compiled ? 'Type a packet above: tcp|udp SRC:PORT -> DST:PORT.' : 'The policy has errors: nothing to explain.');
    $('diff-base').textContent = this.baseName();
    if (shows('diff')) this.showResult($('out-diff'), r.diff && ('text' in r.diff && !r.diff.changed ? { text: `${r.diff.text}No change in what any firewall accepts.` } : r.diff), 'The policy has errors: no difference computed.');
    if (shows('graph')) $('graph-text').textContent = r.graph?.mermaid ?? '';
    this.api.results++;
    if (this.api.timings.firstResult === undefined) {
      this.api.timings.firstResult = performance.now();
      this.settle();
    }
    if (this.tab === 'graph') void this.drawGraph();
  }

  private status(text: string, kind: 'good' | 'bad'): void {
    const s = $('status');
    s.textContent = text;
    s.className = kind;
  }

  private showProblems(r: RunResult): void {
    const list = $('problems');
    list.replaceChildren(
      ...r.diagnostics.map((d) => {
        const item = el('li', undefined, d.severity);
        const button = el('button', `${d.line}:${d.column}`, 'where');
        button.addEventListener('click', () => this.editor.reveal(d.line, d.column));
        item.append(button, el('span', `${d.severity} ${d.code}`, 'code'), el('span', ` ${d.message}`, 'message'));
        if (d.hint) item.append(el('div', `hint: ${d.hint}`, 'hint'));
        return item;
      }),
    );
    if (r.diagnostics.length === 0) list.append(el('li', 'No problems: the policy compiles cleanly.', 'ok'));
    $('check-text').textContent = r.checkText;
    $('tab-problems-count').textContent = r.diagnostics.length ? ` (${r.diagnostics.length})` : '';
  }

  private showFirewalls(r: RunResult): void {
    const select = $<HTMLSelectElement>('firewall');
    select.replaceChildren(...r.firewalls.map((f) => new Option(f.name, f.name, false, f.name === r.firewall)));
    select.disabled = r.firewalls.length === 0;
    const chosen = r.firewalls.find((f) => f.name === r.firewall);
    const errors = r.diagnostics.some((d) => d.severity === 'error');
    $('firewall-info').textContent = chosen ? `${chosen.placement}; its targets: ${chosen.targets.join(', ')}` : errors ? 'the policy has errors' : 'the policy has no firewall';
  }

  private showTarget(target: string, out: TargetOutput | undefined, r: RunResult, compiled: boolean): void {
    const pane = $(`out-${target}`);
    if (!out) return pane.replaceChildren(el('p', compiled ? 'The policy has no firewall.' : 'The policy has errors: nothing is written until they are fixed.', 'note'));
    const notes: HTMLElement[] = [];
    if (!out.listed) notes.push(el('p', `${r.firewall} does not list ${target} in its targets: this is what msgrfw compile -t ${target} -f ${r.firewall} would write.`, 'note'));
    for (const a of out.approximated) notes.push(el('p', `Approximate (MSGR061): ${a}`, 'note warn'));
    if (out.refused) notes.push(el('p', `${target} cannot express this firewall (MSGR060), so it writes nothing: ${out.refused}`, 'note bad'));
    pane.replaceChildren(...notes);
    this.appendFiles(pane, out.files);
  }

  private showFiles(pane: HTMLElement, files: readonly FileText[], empty: string | undefined): void {
    pane.replaceChildren();
    if (files.length === 0) pane.append(el('p', empty ?? 'The policy has errors: nothing is written until they are fixed.', 'note'));
    this.appendFiles(pane, files);
  }

  private appendFiles(pane: HTMLElement, files: readonly FileText[]): void {
    for (const f of files) {
      const head = el('div', undefined, 'file-head');
      const link = el('a', 'download', 'download');
      link.setAttribute('download', f.name);
      link.href = URL.createObjectURL(new Blob([f.content], { type: 'text/plain' }));
      head.append(el('span', f.name, 'file-name'), link);
      pane.append(head, el('pre', f.content, 'file'));
    }
  }

  private showResult(pane: HTMLElement, value: { text: string } | { problem: string } | undefined, none: string): void {
    pane.textContent = value === undefined ? none : 'text' in value ? value.text : value.problem;
    pane.classList.toggle('problem', value !== undefined && 'problem' in value);
  }

  private showTab(tab: string): void {
    this.tab = tab;
    for (const b of document.querySelectorAll<HTMLButtonElement>('#tabs button')) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
    for (const p of document.querySelectorAll<HTMLElement>('.pane')) p.hidden = p.id !== `pane-${tab}`;
    $('firewall-bar').hidden = !['nftables', 'iptables', 'netsh', 'pf', 'graph'].includes(tab);
    // The new pane's part was not made for the last result: made now.
    if ((TAB_PARTS[tab] ?? []).length > 0) this.compileNow();
  }

  private async drawGraph(): Promise<void> {
    const last = this.api.last;
    const text = last?.graph?.mermaid;
    const target = $('graph');
    if (!text && last?.diagnostics.some((d) => d.severity === 'error')) {
      this.graphShown = '';
      return target.replaceChildren(el('p', 'The policy has errors: there is nothing to draw.', 'note'));
    }
    if (!text) return;
    if (text === this.graphShown) return;
    this.graphShown = text;
    await drawMermaid(text, target);
    this.api.timings.graph = performance.now();
  }
}

const page = new Page();
window.msgrfwPlayground = page.api;
// For the tests that read the graph with the page's Mermaid (test/web/graph.test.ts).
window.msgrfwGraphTest = { loadMermaid };
void page.start();
