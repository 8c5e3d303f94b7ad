/**
 * Turns what a user types into a safe FTS5 MATCH expression: every word becomes a quoted prefix
 * term, all words must match. Quotes, `-`, `*`, `:`, `NEAR`, `OR` and parentheses are plain text,
 * so no input can make SQLite throw a syntax error.
 */

// Runs of letters, digits and combining marks: the same words the unicode61 tokenizer keeps.
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const MAX_TERMS = 16;

/** The MATCH expression, or undefined when the text holds no searchable word (then: no text filter). */
export function toFtsQuery(text: string): string | undefined {
  const words = text.normalize('NFC').match(WORD);
  if (!words) return undefined;
  const unique = [...new Set(words.map((w) => w.toLowerCase()))].slice(0, MAX_TERMS);
  // A word is only letters/digits/marks, so it never holds a `"`; quoting makes OR/NOT/NEAR literal.
  return unique.map((w) => `"${w}"*`).join(' ');
}
