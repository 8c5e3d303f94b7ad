/**
 * A small XMP packet carrying generation parameters, for formats without PNG text chunks (JPEG, WebP,
 * PSD). `exif:UserComment` holds the A1111 parameters text (full Unicode, unlike EXIF's ASCII
 * UserComment as libvips writes it); `atelier:*` properties hold our own JSON so nothing is lost.
 * Written and read with plain string work: we only ever read back the shape we write (plus tolerance
 * for attribute order and whitespace), and every pattern is linear in the input.
 */

export const ATELIER_XMP_NS = 'https://atelier.invalid/ns/1.0/';

export interface XmpFields {
  /** A1111 parameters text. */
  parameters?: string;
  /** Our JSON properties by local name, e.g. { generation: '{…}' }. */
  atelier?: Record<string, string>;
  creatorTool?: string;
}

function escapeXml(text: string): string {
  return text
    // XML 1.0 forbids most C0 controls even as references; they never occur in real prompts.
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\r/g, '&#13;');
}

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/g, (_m, e: string) => {
    if (e === 'amp') return '&';
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

export function buildXmpPacket(fields: XmpFields): string {
  const props: string[] = [];
  if (fields.creatorTool) props.push(`   <xmp:CreatorTool>${escapeXml(fields.creatorTool)}</xmp:CreatorTool>`);
  if (fields.parameters !== undefined) {
    props.push(
      `   <exif:UserComment><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(fields.parameters)}</rdf:li></rdf:Alt></exif:UserComment>`,
    );
  }
  for (const [name, value] of Object.entries(fields.atelier ?? {})) {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error(`invalid XMP property name "${name}"`);
    props.push(`   <atelier:${name}>${escapeXml(value)}</atelier:${name}>`);
  }
  return [
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '  <rdf:Description rdf:about=""',
    '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
    '    xmlns:exif="http://ns.adobe.com/exif/1.0/"',
    `    xmlns:atelier="${ATELIER_XMP_NS}">`,
    ...props,
    '  </rdf:Description>',
    ' </rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('\n');
}

/** Reads back what buildXmpPacket writes; tolerant of other XMP around it. Never throws. */
export function parseXmpPacket(xmp: string): XmpFields {
  const out: XmpFields = {};
  const comment = /<exif:UserComment>\s*<rdf:Alt>\s*<rdf:li[^>]*>([^<]*)<\/rdf:li>/.exec(xmp);
  if (comment) out.parameters = unescapeXml(comment[1]);
  const tool = /<xmp:CreatorTool>([^<]*)<\/xmp:CreatorTool>/.exec(xmp);
  if (tool) out.creatorTool = unescapeXml(tool[1]);
  const atelier: Record<string, string> = {};
  for (const m of xmp.matchAll(/<atelier:([A-Za-z][A-Za-z0-9]*)>([^<]*)<\/atelier:\1>/g)) {
    atelier[m[1]] = unescapeXml(m[2]);
  }
  if (Object.keys(atelier).length > 0) out.atelier = atelier;
  return out;
}
