import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { packageFile } from '../files/packageFile.js';
import type { IrDocument } from './types.js';

export const irSchema = JSON.parse(readFileSync(packageFile('src', 'ir', 'schema.json'), 'utf8'));

const validator = new Ajv({ allErrors: true, strict: true }).compile<IrDocument>(irSchema);

/** Schema problems of an IR document, as `path: message` lines; empty when valid. */
export function irSchemaErrors(doc: unknown): string[] {
  if (validator(doc)) return [];
  return (validator.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
}

/**
 * Every compile passes through here: an IR that breaks its own schema is a compiler bug, and
 * the output it would produce is not trusted.
 */
export function assertValidIr(doc: IrDocument): IrDocument {
  const errors = irSchemaErrors(doc);
  if (errors.length > 0) throw new Error(`internal error: the IR breaks its schema:\n${errors.join('\n')}`);
  return doc;
}
