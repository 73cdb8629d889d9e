/**
 * Text for a picture: every control character (line breaks included: a label is one line) and
 * every Unicode control that hides or reorders text is shown as a `\u{…}` escape, so a label
 * shows what the policy says and nothing acts on the viewer.
 */
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

export const visibleText = (s: string): string => s.replace(HIDDEN, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
