import { UserError } from '../../shared/userError.js';
/**
 * OpenRaster's stack.xml: written from a tree, and read back with a tiny tokenizer that understands
 * exactly what ORA needs (elements, attributes, nesting; comments, processing instructions and text
 * are skipped). Linear in the input, depth-limited, never throws anything but StackXmlError.
 */

export class StackXmlError extends UserError {
  constructor(message: string) {
    super(message, 'invalid-input');
  }
}

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

const MAX_DEPTH = 64;
const MAX_ELEMENTS = 20_000;

export function escapeAttr(value: string): string {
  return value
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

function unescape(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (_m, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (named[e]) return named[e];
    const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

export function writeElement(el: XmlElement, indent = ''): string {
  const attrs = Object.entries(el.attrs).map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('');
  if (el.children.length === 0) return `${indent}<${el.name}${attrs}/>`;
  const inner = el.children.map((c) => writeElement(c, `${indent} `)).join('\n');
  return `${indent}<${el.name}${attrs}>\n${inner}\n${indent}</${el.name}>`;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
// Sticky: matched in place at lastIndex, so each attribute costs only its own length.
const ATTR = /\s+([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/y;

/** Parses the root element. */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: {}, children: [] };
  const stack: XmlElement[] = [root];
  let at = 0;
  let count = 0;
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) throw new StackXmlError('unterminated comment');
      at = end + 3;
      continue;
    }
    if (xml.startsWith('<?', lt) || xml.startsWith('<!', lt)) {
      const end = xml.indexOf('>', lt + 2);
      if (end < 0) throw new StackXmlError('unterminated declaration');
      at = end + 1;
      continue;
    }
    if (xml.startsWith('</', lt)) {
      const end = xml.indexOf('>', lt + 2);
      if (end < 0) throw new StackXmlError('unterminated closing tag');
      const name = xml.slice(lt + 2, end).trim();
      const open = stack.pop();
      if (!open || open === root || open.name !== name) throw new StackXmlError(`unexpected </${name}>`);
      at = end + 1;
      continue;
    }
    const nameMatch = NAME.exec(xml.slice(lt + 1, lt + 201));
    if (!nameMatch) throw new StackXmlError(`bad tag at offset ${lt}`);
    const el: XmlElement = { name: nameMatch[0], attrs: {}, children: [] };
    let pos = lt + 1 + nameMatch[0].length;
    for (;;) {
      ATTR.lastIndex = pos;
      const attr = ATTR.exec(xml);
      if (!attr) break;
      el.attrs[attr[1]] = unescape(attr[3] ?? attr[4] ?? '');
      pos = ATTR.lastIndex;
    }
    while (pos < xml.length && /\s/.test(xml[pos])) pos++;
    const selfClosing = xml.startsWith('/>', pos);
    if (!selfClosing && xml[pos] !== '>') throw new StackXmlError(`bad attribute in <${el.name}> at offset ${pos}`);
    if (++count > MAX_ELEMENTS) throw new StackXmlError(`more than ${MAX_ELEMENTS} elements`);
    stack[stack.length - 1].children.push(el);
    if (!selfClosing) {
      if (stack.length > MAX_DEPTH) throw new StackXmlError(`nested deeper than ${MAX_DEPTH}`);
      stack.push(el);
    }
    at = pos + (selfClosing ? 2 : 1);
  }
  if (stack.length !== 1) throw new StackXmlError(`<${stack[stack.length - 1].name}> is not closed`);
  const first = root.children[0];
  if (!first || root.children.length !== 1) throw new StackXmlError('there must be exactly one root element');
  return first;
}
