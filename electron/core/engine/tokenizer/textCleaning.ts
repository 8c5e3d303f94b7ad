/**
 * Prompt clean-up before CLIP's split regex, as openai/CLIP `simple_tokenizer.py` does it:
 * (a light stand-in for) ftfy.fix_text, html.unescape twice, strip, collapse whitespace, lower-case.
 * ftfy itself is not ported; we keep the parts of its defaults that change ordinary prompts:
 * NFC, curly quotes to straight ones, full-width ASCII to ASCII, Latin ligatures split,
 * control characters removed. HTML entities (`&amp;`) are where references disagree: openai and
 * HF-with-ftfy decode them (ftfy's unescape_html), HF without ftfy installed keeps them as text.
 */

/** HTML5 named references most likely in prompts (Python's html.unescape knows all 2,231). */
const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '©', reg: '®', trade: '™',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«',
  raquo: '»', middot: '·', bull: '•', deg: '°', times: '×', divide: '÷', plusmn: '±', micro: 'µ',
  para: '¶', sect: '§', euro: '€', pound: '£', yen: '¥', cent: '¢', frac12: '½', frac14: '¼',
  frac34: '¾', sup2: '²', sup3: '³', eacute: 'é', egrave: 'è', ecirc: 'ê', euml: 'ë', aacute: 'á',
  agrave: 'à', acirc: 'â', auml: 'ä', aring: 'å', atilde: 'ã', aelig: 'æ', ccedil: 'ç', iacute: 'í',
  igrave: 'ì', icirc: 'î', iuml: 'ï', ntilde: 'ñ', oacute: 'ó', ograve: 'ò', ocirc: 'ô', ouml: 'ö',
  otilde: 'õ', oslash: 'ø', uacute: 'ú', ugrave: 'ù', ucirc: 'û', uuml: 'ü', yacute: 'ý', yuml: 'ÿ',
  szlig: 'ß', Eacute: 'É', Auml: 'Ä', Ouml: 'Ö', Uuml: 'Ü', AMP: '&', LT: '<', GT: '>', QUOT: '"',
  COPY: '©', REG: '®',
};
/** Names HTML5 also accepts without the semicolon (the legacy ones, as Python does). */
const LEGACY = new Set(['amp', 'lt', 'gt', 'quot', 'nbsp', 'copy', 'reg', 'AMP', 'LT', 'GT', 'QUOT', 'COPY', 'REG',
  'deg', 'times', 'divide', 'plusmn', 'micro', 'para', 'sect', 'pound', 'yen', 'cent', 'frac12', 'frac14',
  'frac34', 'sup2', 'sup3', 'laquo', 'raquo', 'middot', 'eacute', 'egrave', 'ecirc', 'euml', 'aacute',
  'agrave', 'acirc', 'auml', 'aring', 'atilde', 'aelig', 'ccedil', 'iacute', 'igrave', 'icirc', 'iuml',
  'ntilde', 'oacute', 'ograve', 'ocirc', 'ouml', 'otilde', 'oslash', 'uacute', 'ugrave', 'ucirc', 'uuml',
  'yacute', 'yuml', 'szlig', 'Eacute', 'Auml', 'Ouml', 'Uuml']);

/** Windows-1252 meanings HTML gives to numeric references 0x80..0x9f (Python's _invalid_charrefs). */
const CP1252: Record<number, string> = {
  0x80: '€', 0x82: '‚', 0x83: 'ƒ', 0x84: '„', 0x85: '…', 0x86: '†', 0x87: '‡', 0x88: 'ˆ', 0x89: '‰',
  0x8a: 'Š', 0x8b: '‹', 0x8c: 'Œ', 0x8e: 'Ž', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x95: '•',
  0x96: '–', 0x97: '—', 0x98: '˜', 0x99: '™', 0x9a: 'š', 0x9b: '›', 0x9c: 'œ', 0x9e: 'ž', 0x9f: 'Ÿ',
  0x0d: '\r', 0x81: '\x81', 0x8d: '\x8d', 0x8f: '\x8f', 0x90: '\x90', 0x9d: '\x9d',
};

/** Python's html._invalid_codepoints: controls and non-characters, dropped. */
function isInvalidCodepoint(cp: number): boolean {
  return (
    (cp >= 0x1 && cp <= 0x8) || cp === 0xb || (cp >= 0xe && cp <= 0x1f) || (cp >= 0x7f && cp <= 0x9f) ||
    (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe
  );
}

// Same pattern as Python's html._charref.
const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

function replaceCharref(s: string): string {
  if (s[0] === '#') {
    const hex = s[1] === 'x' || s[1] === 'X';
    const digits = s.slice(hex ? 2 : 1).replace(/;$/, '');
    const num = parseInt(digits, hex ? 16 : 10);
    if (num in CP1252) return CP1252[num];
    if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff || num === 0) return '\ufffd';
    if (isInvalidCodepoint(num)) return '';
    return String.fromCodePoint(num);
  }
  if (s.endsWith(';')) {
    const hit = NAMED[s.slice(0, -1)];
    if (hit !== undefined) return hit;
  } else if (LEGACY.has(s)) {
    return NAMED[s];
  }
  // Longest legacy name that prefixes the reference, the rest kept as text.
  for (let x = s.length - 1; x > 1; x--) {
    const name = s.slice(0, x);
    if (LEGACY.has(name)) return NAMED[name] + s.slice(x);
  }
  return '&' + s;
}

/** Python's html.unescape for numeric references and the named ones in NAMED. */
export function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARREF, (_m, ref: string) => replaceCharref(ref));
}

const CURLY = /[\u2018\u2019\u201a\u201b\u2032]|[\u201c\u201d\u201e\u201f\u2033]/g;
// C0/C1 controls except whitespace, plus zero-width formatting marks.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f-\u009f\ufeff\u200b\u00ad]/g;
const FULLWIDTH = /[\uff01-\uff5e\u3000]/g;
/** ftfy's fix_latin_ligatures. */
const LIGATURES: Record<string, string> = { '\ufb00': 'ff', '\ufb01': 'fi', '\ufb02': 'fl', '\ufb03': 'ffi', '\ufb04': 'ffl', '\ufb05': 'st', '\ufb06': 'st', '\u0132': 'IJ', '\u0133': 'ij' };
const LIGATURE = /[\ufb00-\ufb06\u0132\u0133]/g;

/** The part of ftfy.fix_text's defaults that matters for prompts. */
export function fixText(text: string): string {
  return text
    .normalize('NFC')
    .replace(CONTROL, '')
    .replace(LIGATURE, (c) => LIGATURES[c])
    .replace(FULLWIDTH, (c) => (c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)))
    .replace(CURLY, (c) => ('\u201c\u201d\u201e\u201f\u2033'.includes(c) ? '"' : "'"));
}

/** basic_clean + whitespace_clean + lower(), in simple_tokenizer.py's order. */
export function cleanPrompt(text: string): string {
  const unescaped = htmlUnescape(htmlUnescape(fixText(text))).trim();
  return unescaped.replace(/\s+/g, ' ').trim().toLowerCase();
}
