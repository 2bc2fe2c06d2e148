// Turns fetched bytes into text with the right character set: BOM, then the HTTP header, then what
// the document declares (XML prolog, HTML <meta>), else UTF-8. TextDecoder (WHATWG labels, ICU)
// does the decoding.
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

function decoder(label: string | undefined): TextDecoder | undefined {
  if (!label) return undefined;
  try {
    return new TextDecoder(label);
  } catch {
    return undefined; // an unknown label: fall through to the next source
  }
}

export function decodeBody(body: Buffer, contentType: string | undefined): { text: string; charset: string } {
  for (const [bom, label] of BOMS) {
    if (bom.every((b, i) => body[i] === b)) return { text: new TextDecoder(label).decode(body), charset: label };
  }
  // the prolog and <meta> are ASCII in every charset a feed or page uses
  const head = body.subarray(0, 2048).toString('latin1');
  for (const label of [charsetFromContentType(contentType), declaredCharset(head)]) {
    const d = decoder(label);
    if (d) return { text: d.decode(body), charset: d.encoding };
  }
  return { text: new TextDecoder('utf-8').decode(body), charset: 'utf-8' };
}
