import type HandlebarsApi from 'handlebars';
import RuntimeModule from 'handlebars/runtime.js';
import { packageText } from '../src/files/packageText.js';
import { requireDependency } from '../src/files/dependency.js';
import type { IrDocument, IrFirewall, IrTarget } from '../src/ir/types.js';
import { precompiledTemplates, type PrecompiledTemplates } from './precompiled.js';
import type { GROUP_POLICY } from './selection.js';

/** One file a target writes for one firewall. */
export interface Artefact {
  /** File name only (no directory): `<firewall>.<ext>`. */
  name: string;
  content: string;
}

/**
 * One target's text. `render` is called only for a firewall the target's declared
 * capabilities accept (targets/judge.ts): it never refuses one, and what it approximates the
 * capabilities already say.
 */
export interface Target {
  name: IrTarget;
  render(doc: IrDocument, fw: IrFirewall): Artefact[];
}

// handlebars' runtime is its API without the compiler; its typings declare only the full one.
const Runtime = RuntimeModule as unknown as typeof HandlebarsApi;

/** Each template's text, read once (the check below and its target both need it). */
const sources = new Map<string, string>();
function templateSource(key: string): string {
  let text = sources.get(key);
  if (text === undefined) sources.set(key, (text = packageText('targets', ...key.split('/'))));
  return text;
}

/**
 * The templates the build precompiled (scripts/precompile-templates.mjs, into dist/ only), each
 * with the source it was compiled from; none when run from the sources. A plain import, not a
 * top-level await: the command line also runs as one classic script (scripts/bundle-cli.mjs).
 */
const precompiled: PrecompiledTemplates = precompiledTemplates ?? {};
const upToDate = Object.keys(precompiled).length > 0 && Object.entries(precompiled).every(([key, t]) => templateSource(key) === t.source);

/**
 * A handlebars environment that never HTML-escapes: `&` must stay `&`. What protects each
 * output is the target's own escaping in its view-model builder, applied before rendering.
 * With every template precompiled for its current source, only handlebars' small runtime loads;
 * otherwise (run from the sources, or a template edited since the build) its compiler too.
 */
const handlebars = upToDate ? Runtime.create() : templateCompiler().create();

/** handlebars' compiler, for templates the build did not precompile (a checkout has it). */
function templateCompiler(): typeof HandlebarsApi {
  try {
    return requireDependency<typeof HandlebarsApi>('handlebars');
  } catch {
    throw new Error('a template changed since the build and handlebars (its compiler) is not installed: run npm run build');
  }
}

/**
 * A template of a folder under targets/ (a target's, or `gpo`'s): precompiled when the build
 * compiled exactly this source, else compiled here.
 */
export function loadTemplate<View>(folder: IrTarget | typeof GROUP_POLICY, file: string): (view: View) => string {
  const key = `${folder}/${file}`;
  const source = templateSource(key);
  const built = precompiled[key];
  // The build wrote the spec with handlebars' precompiler (scripts/precompile-templates.mjs).
  if (built?.source === source) return handlebars.template<View>(built.spec as unknown as Parameters<typeof handlebars.template>[0]);
  if (upToDate) throw new Error(`internal error: template ${key} is newer than the build; run npm run build`);
  // The options of scripts/precompile-templates.mjs.
  return handlebars.compile<View>(source, { noEscape: true, strict: true });
}
