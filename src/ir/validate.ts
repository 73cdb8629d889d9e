import type { Ajv as AjvClass } from 'ajv';
import { requireDependency } from '../files/dependency.js';
import { packageText } from '../files/packageText.js';
import { precompiledValidator, type PrecompiledValidator } from './precompiledValidator.js';
import type { IrDocument } from './types.js';

const schemaSource = packageText('src', 'ir', 'schema.json');
export const irSchema = JSON.parse(schemaSource);

type Validator = PrecompiledValidator['validate'];

/**
 * The build compiles the schema ahead of time (scripts/build-ir-validator.mjs writes ajv's
 * standalone code as the compiled precompiledValidator.ts): loading ajv and compiling the schema
 * here took most of the compiler's start-up. That validator is used only when it was generated
 * from exactly the schema read above; elsewhere (run from src/, or a build older than the schema)
 * the schema is compiled here, with the same options, as before. Made at the first validation,
 * synchronously: no module of the compiler awaits at its top level, so the command line can run
 * as one classic script with a code cache (scripts/bundle-cli.mjs).
 */
function loadValidator(): Validator {
  if (precompiledValidator?.schemaSource === schemaSource) return precompiledValidator.validate;
  // ajv (a dependency, CommonJS) only for a schema changed since the build.
  const { Ajv } = requireDependency<{ Ajv: typeof AjvClass }>('ajv');
  return new Ajv({ allErrors: true, strict: true }).compile<IrDocument>(irSchema);
}

let validator: Validator | undefined;

/** Schema problems of an IR document, as `path: message` lines; empty when valid. */
export function irSchemaErrors(doc: unknown): string[] {
  validator ??= loadValidator();
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
