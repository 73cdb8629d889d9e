/**
 * A template as handlebars' precompiler writes it: opaque here (target.ts hands it to handlebars'
 * runtime), so that the declarations this package ships do not need handlebars' types.
 */
export type TemplateSpec = Readonly<Record<string, unknown>>;

/** The templates the build precompiled, each with the source text it was compiled from. */
export type PrecompiledTemplates = Record<string, { source: string; spec: TemplateSpec }>;

/**
 * None here, beside the sources. The build (scripts/precompile-templates.mjs) writes the
 * compiled form of this module, dist/targets/precompiled.js, with every template precompiled:
 * a plain static import, so the targets load them synchronously wherever they run (the
 * modules, the bundles, the command line's cached script), with no top-level await.
 */
export const precompiledTemplates: PrecompiledTemplates | undefined = undefined;
