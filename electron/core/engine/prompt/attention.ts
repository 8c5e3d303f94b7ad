/**
 * AUTOMATIC1111's prompt attention syntax (modules/prompt_parser.py `parse_prompt_attention`), with its
 * exact semantics, so prompts copied from A1111, Fooocus or Civitai mean here what they meant there:
 *   (text) ×1.1 · [text] ÷1.1 · nesting multiplies · (text:1.3) explicit · \( \) \[ \] \\ literal ·
 *   unclosed brackets weight to the end · stray closers are text · BREAK starts a new chunk.
 * Pure; the chunker (chunks.ts) turns the fragments into 77-token chunks with per-token weights.
 *
 * Other bracket-like syntaxes (e.g. `<lora:NAME:W>`) pass through as text: strip them before parsing.
 */

export interface PromptFragment {
  text: string;
  weight: number;
  /** A BREAK keyword (A1111 marks it with weight -1; inside brackets it becomes text again, as there). */
  isBreak?: boolean;
}

/** A1111's token regex, alternative for alternative (order matters: escapes first, text runs before a lone ':'). */
const ATTENTION = /\\\(|\\\)|\\\[|\\\]|\\\\|\\|\(|\[|:([+-]?[.\d]+)\)|\)|\]|[^\\()[\]:]+|:/gu;
/** Python's `\s*\bBREAK\b\s*`; `\b` spelled out because JavaScript's is ASCII-only and Python's is Unicode. */
const BREAK = /\s*(?<![\p{L}\p{N}_])BREAK(?![\p{L}\p{N}_])\s*/u;
const ROUND = 1.1;
const SQUARE = 1 / 1.1;

export function parsePromptAttention(text: string): PromptFragment[] {
  // Weight -1 marks BREAK, as in A1111: a BREAK inside brackets gets multiplied and so reads as the word.
  const res: Array<[string, number]> = [];
  const round: number[] = [];
  const square: number[] = [];
  const multiplyRange = (start: number, m: number): void => {
    for (let p = start; p < res.length; p++) res[p]![1] *= m;
  };
  for (const match of text.matchAll(ATTENTION)) {
    const token = match[0];
    const explicit = match[1] === undefined ? undefined : Number(match[1]);
    if (token.startsWith('\\')) res.push([token.slice(1), 1]);
    else if (token === '(') round.push(res.length);
    else if (token === '[') square.push(res.length);
    // A1111 raises on a malformed number such as "1.2.3"; here it stays text.
    else if (explicit !== undefined && Number.isFinite(explicit) && round.length > 0) multiplyRange(round.pop()!, explicit);
    else if (token === ')' && round.length > 0) multiplyRange(round.pop()!, ROUND);
    else if (token === ']' && square.length > 0) multiplyRange(square.pop()!, SQUARE);
    else {
      token.split(BREAK).forEach((part, i) => {
        if (i > 0) res.push(['BREAK', -1]);
        res.push([part, 1]);
      });
    }
  }
  for (const pos of round) multiplyRange(pos, ROUND);
  for (const pos of square) multiplyRange(pos, SQUARE);
  if (res.length === 0) res.push(['', 1]);
  // Merge runs of identical weights.
  for (let i = 0; i + 1 < res.length; ) {
    if (res[i]![1] === res[i + 1]![1]) {
      res[i]![0] += res[i + 1]![0];
      res.splice(i + 1, 1);
    } else i++;
  }
  return res.map(([t, w]) => (t === 'BREAK' && w === -1 ? { text: t, weight: w, isBreak: true } : { text: t, weight: w }));
}
