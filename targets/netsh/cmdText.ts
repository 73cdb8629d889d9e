/**
 * Text that may appear in a `rem` line or inside a double-quoted netsh argument. cmd.exe expands
 * `%` everywhere (also in `rem` and inside quotes), treats `^ & | < > ( )` specially outside
 * quotes, `!` under delayed expansion, a trailing `^` joins the next line to a `rem`, and a `"`
 * would end a quoted value. Only letters, digits, space and inert punctuation survive (the
 * parentheses only matter inside a `( … )` block, which the script never opens); `&` becomes
 * `+`, everything else (control characters, newlines, non-ASCII included) `_`.
 */
export function cmdText(s: string): string {
  return s.replace(/&/g, '+').replace(/[^A-Za-z0-9 _.,:/+=@#'()-]/g, '_');
}
