import type { ErrorObject } from 'ajv';

/** A validator ajv compiled ahead of time, and the schema text it was compiled from. */
export interface PrecompiledValidator {
  schemaSource: string;
  validate: ((doc: unknown) => boolean) & { errors?: ErrorObject[] | null };
}

/**
 * None here, beside the sources. The build (scripts/build-ir-validator.mjs) writes the compiled
 * form of this module, dist/src/ir/precompiledValidator.js, as ajv's standalone code for the
 * schema: a plain static import, so validate.ts gets it synchronously wherever it runs (the
 * modules, the bundles, the command line's cached script), with no top-level await.
 */
export const precompiledValidator: PrecompiledValidator | undefined = undefined;
