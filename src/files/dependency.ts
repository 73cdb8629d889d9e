import { createRequire } from 'node:module';

/**
 * A CommonJS package the compiler needs only as a fallback for a build older than its sources
 * (ajv to compile the IR schema, handlebars' compiler for a template), loaded synchronously when
 * first asked for: no module awaits at its top level (see src/ir/validate.ts). The playground's
 * build (scripts/build-web.mjs) replaces this module: it never needs the fallbacks.
 */
export function requireDependency<T>(name: 'ajv' | 'handlebars'): T {
  return createRequire(import.meta.url)(name) as T;
}
