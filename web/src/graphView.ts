/**
 * The flow graph on the page: `msgrfw graph`'s Mermaid text drawn by Mermaid itself, loaded
 * only when the picture is first wanted (it is most of the page's bytes). Mermaid runs with
 * securityLevel strict; its SVG is parsed in an inert document and adopted, never written into
 * the page as HTML.
 */
interface MermaidApi {
  initialize(config: Record<string, unknown>): void;
  render(id: string, text: string): Promise<{ svg: string }>;
  parse(text: string): Promise<unknown>;
  mermaidAPI: { getDiagramFromText(text: string): Promise<{ db: { getEdges(): { start: string; end: string; text: string; type: string; stroke: string }[]; getVertices(): Map<string, { id: string; text: string; type: string }> } }> };
}

declare global {
  interface Window {
    mermaid?: MermaidApi;
  }
}

let loading: Promise<MermaidApi> | undefined;

/** Mermaid, from mermaid.min.js beside the page (a classic script: file:// allows those). */
export function loadMermaid(): Promise<MermaidApi> {
  loading ??= new Promise<MermaidApi>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = 'mermaid.min.js';
    script.onload = () => {
      const mermaid = window.mermaid;
      if (!mermaid) return reject(new Error('mermaid.min.js did not define mermaid'));
      // Large deployments make large texts: drawn up to these limits, else a message says why not.
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', maxTextSize: 500_000, maxEdges: 2_000, flowchart: { htmlLabels: true } });
      resolve(mermaid);
    };
    script.onerror = () => reject(new Error('mermaid.min.js could not be loaded'));
    document.head.append(script);
  });
  return loading;
}

let renders = 0;

/** Draws `text` into `target`, replacing what was there; a drawing that fails says why. */
export async function drawMermaid(text: string, target: HTMLElement): Promise<void> {
  const mermaid = await loadMermaid();
  const id = `msgrfw-graph-${++renders}`;
  try {
    const { svg } = await mermaid.render(id, text);
    // Parsed as HTML, as the page would (its labels are HTML), in an inert document: nothing in it runs.
    const root = new DOMParser().parseFromString(svg, 'text/html').querySelector('svg');
    if (!root) throw new Error('Mermaid drew no SVG');
    // Its natural size (Mermaid would shrink it to the pane): the pane scrolls.
    const width = root.getAttribute('viewBox')?.split(/\s+/)[2];
    if (width) {
      root.setAttribute('width', width);
      root.style.maxWidth = 'none';
    }
    target.replaceChildren(document.importNode(root, true));
  } catch (e) {
    const p = document.createElement('p');
    p.className = 'graph-problem';
    p.textContent = `The picture cannot be drawn here: ${(e as Error).message}. The Mermaid text below draws elsewhere (or choose one firewall).`;
    target.replaceChildren(p);
  } finally {
    // Mermaid leaves a measuring element behind when rendering fails.
    document.getElementById(`d${id}`)?.remove();
  }
}
