/**
 * GPT-2/CLIP's reversible byte <-> unicode table: printable Latin-1 bytes map to themselves, the
 * other 68 bytes to U+0100.. so that every byte of UTF-8 becomes one visible vocabulary character.
 */

function buildByteToChar(): string[] {
  const keep: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) keep.push(b); // '!'..'~'
  for (let b = 0xa1; b <= 0xac; b++) keep.push(b); // '¡'..'¬'
  for (let b = 0xae; b <= 0xff; b++) keep.push(b); // '®'..'ÿ'
  const table = new Array<string>(256);
  for (const b of keep) table[b] = String.fromCharCode(b);
  let next = 0;
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) table[b] = String.fromCharCode(256 + next++);
  }
  return table;
}

/** byteToChar[b] is the vocabulary character of byte b. */
export const byteToChar: readonly string[] = buildByteToChar();

/** The inverse table: vocabulary character -> byte. */
export const charToByte: ReadonlyMap<string, number> = new Map(byteToChar.map((c, b) => [c, b]));
