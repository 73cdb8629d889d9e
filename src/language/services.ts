import { completionsAt } from './complete.js';
import { PolicyDocument } from './document.js';
import { codeActions, formatting } from './edits.js';
import { hoverAt } from './hover.js';
import { definitionAt, referencesAt, renameAt, renameTarget } from './navigate.js';
import { outline } from './outline.js';

/**
 * Everything an editor asks of a policy, in msgrfw's own terms (1-based positions, msgrfw's
 * diagnostics and edits): what the language server (src/lsp/) translates into the protocol. The
 * server is handed these rather than importing them, so that it — and the protocol library it
 * is bundled with — carries no copy of the compiler.
 */
export const languageServices = { PolicyDocument, completionsAt, codeActions, formatting, hoverAt, definitionAt, referencesAt, renameAt, renameTarget, outline };

export type LanguageServices = typeof languageServices;
