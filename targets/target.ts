import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { packageFile } from '../src/files/packageFile.js';
import type { IrDocument, IrFirewall, IrTarget } from '../src/ir/types.js';

/** One file a target writes for one firewall. */
export interface Artefact {
  /** File name only (no directory): `<firewall>.<ext>`. */
  name: string;
  content: string;
  /**
   * What the target could not express exactly but emitted anyway, slightly different, with the
   * reason. Each becomes a warning (MSGR061): a target never degrades silently.
   */
  approximations?: string[];
}

export interface Target {
  name: IrTarget;
  render(doc: IrDocument, fw: IrFirewall): Artefact[];
}

/**
 * A handlebars environment that never HTML-escapes: `&` must stay `&`. What protects each
 * output is the target's own escaping in its view-model builder, applied before rendering.
 */
const handlebars = Handlebars.create();

export function loadTemplate<View>(target: IrTarget, file: string): (view: View) => string {
  const source = readFileSync(packageFile('targets', target, file), 'utf8');
  return handlebars.compile<View>(source, { noEscape: true, strict: true });
}
