/**
 * A user-editable list of words and phrases that a prompt may not contain. Matching is by whole
 * words, case-insensitive, so "ass" does not block "class". Empty list: nothing is checked.
 */
export function blockedTerms(prompt: string, list: readonly string[]): string[] {
  const text = ` ${prompt.toLowerCase().normalize('NFKC').replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
  const found: string[] = [];
  for (const raw of list) {
    const term = raw.toLowerCase().normalize('NFKC').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
    if (term && text.includes(` ${term} `)) found.push(raw.trim());
  }
  return found;
}

/** Parses the settings text: one term per line, `#` starts a comment. */
export function parsePromptFilter(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line.length > 0);
}
