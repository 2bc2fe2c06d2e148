// Turns fetched bytes into text with the right character set: BOM, then the HTTP header, then what
// the document declares (XML prolog, HTML <meta>), else UTF-8. iconv-lite decodes: Node 20's
// TextDecoder treats windows-1252 as ISO-8859-1 (0x80 comes out as U+0080, not "€").
import iconv from 'iconv-lite';
const BOMS: [number[], string][] = [
  [[0xef, 0xbb, 0xbf], 'utf-8'],
  [[0xfe, 0xff], 'utf-16be'],
  [[0xff, 0xfe], 'utf-16le'],
];

export function charsetFromContentType(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*"?([\w.:-]+)"?/i.exec(contentType ?? '');
  return m?.[1]?.toLowerCase();
}

function declaredCharset(head: string): string | undefined {
  const xml = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head);
  if (xml?.[1]) return xml[1].toLowerCase();
  const meta = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head);
  return meta?.[1]?.toLowerCase();
}

// As browsers do (WHATWG Encoding), Latin-1 and ASCII labels mean windows-1252.
const ALIASES: Record<string, string> = { 'iso-8859-1': 'windows-1252', 'iso8859-1': 'windows-1252', latin1: 'windows-1252', 'us-ascii': 'windows-1252', ascii: 'windows-1252' };

function known(label: string | undefined): string | undefined {
  if (!label) return undefined;
  const name = ALIASES[label] ?? label;
  return iconv.encodingExists(name) ? name : undefined; // an unknown label: try the next source
}

export function decodeBody(body: Buffer, contentType: string | undefined): { text: string; charset: string } {
  for (const [bom, label] of BOMS) {
    if (bom.every((b, i) => body[i] === b)) return { text: iconv.decode(body, label), charset: label };
  }
  // the prolog and <meta> are ASCII in every charset a feed or page uses
  const head = body.subarray(0, 2048).toString('latin1');
  for (const label of [charsetFromContentType(contentType), declaredCharset(head)]) {
    const name = known(label);
    // Buffer's own UTF-8 decoder gives the same text (U+FFFD for bad bytes) without iconv's stream decoder
    if (name === 'utf-8' || name === 'utf8') return { text: body.toString('utf8'), charset: name };
    if (name) return { text: iconv.decode(body, name), charset: name };
  }
  return { text: body.toString('utf8'), charset: 'utf-8' };
}

/** Decodes more of a document with the charset its first part was decoded with (decodeBody's answer). */
export function decodeAs(body: Buffer, charset: string): string {
  return charset === 'utf-8' || charset === 'utf8' ? body.toString('utf8') : iconv.decode(body, charset);
}
