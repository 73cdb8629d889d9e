/**
 * Whether an import failed only because a module is not there: node's and vitest's ways of
 * saying so. The build writes generated modules (precompiled schema validator and templates)
 * into dist/ only; run from the sources, they are absent and the caller compiles instead.
 */
export function isMissingModule(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_LOAD_URL' || /Failed to load url|Cannot find module/.test(String((e as Error | null)?.message));
}
