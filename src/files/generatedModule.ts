/**
 * A module the build generates into dist/ only (the precompiled schema validator and templates):
 * `load` imports it (a literal relative import, so node and the bundler resolve it beside the
 * caller). Run from the sources it is absent, and the caller compiles instead: undefined.
 */
export async function importGenerated<T>(load: () => Promise<unknown>): Promise<T | undefined> {
  try {
    return (await load()) as T;
  } catch (e) {
    if (isMissingModule(e)) return undefined;
    throw e;
  }
}

/** Node's and vitest's ways of saying that a module is not there. */
function isMissingModule(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_LOAD_URL' || /Failed to load url|Cannot find module/.test(String((e as Error | null)?.message));
}
