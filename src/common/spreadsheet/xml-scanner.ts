/**
 * A small streaming XML tokenizer for the parts of an XLSX file: fed chunk by chunk, it
 * returns the tags and text each chunk completes, so a sheet is read without holding it.
 * It checks no more than reading needs: DTDs (entity expansion) are refused, namespace
 * prefixes are dropped (`x:row` is `row`), and no tag or CDATA section may exceed
 * MAX_PENDING characters, which keeps the memory and rescanning of a split tag bounded.
 */
export type XmlEvent =
  | { type: 'open'; name: string; attributes: ReadonlyMap<string, string> }
  | { type: 'close'; name: string }
  | { type: 'text'; text: string };

export class XmlError extends Error {}

const MAX_PENDING = 128 * 1024;
const ENTITIES = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);
const NO_ATTRIBUTES: ReadonlyMap<string, string> = new Map();
const ATTRIBUTE = /\s*([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;

function localName(qualified: string): string {
  return qualified.slice(qualified.indexOf(':') + 1);
}

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return ENTITIES.get(ref) ?? whole;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw new XmlError(`invalid character reference ${whole}`);
    }
    return String.fromCodePoint(code);
  });
}

/** Where text may safely be cut: before a trailing `&...` that the next chunk may finish. */
function textEndBefore(s: string, from: number): number {
  const amp = s.lastIndexOf('&');
  // An entity is at most 10 characters (&#x10FFFF;): a longer run without ';' is not one.
  return amp >= from && s.length - amp < 12 && !s.includes(';', amp) ? amp : s.length;
}

export class XmlScanner {
  private pending = '';
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  write(chunk: Uint8Array): XmlEvent[] {
    try {
      this.pending += this.decoder.decode(chunk, { stream: true });
    } catch {
      throw new XmlError('the XML is not UTF-8');
    }
    return this.scan(false);
  }

  end(): XmlEvent[] {
    try {
      this.pending += this.decoder.decode();
    } catch {
      throw new XmlError('the XML is not UTF-8');
    }
    return this.scan(true);
  }

  private scan(final: boolean): XmlEvent[] {
    const s = this.pending;
    const events: XmlEvent[] = [];
    let at = 0;
    while (at < s.length) {
      const lt = s.indexOf('<', at);
      const textEnd = lt !== -1 ? lt : final ? s.length : textEndBefore(s, at);
      if (textEnd > at) events.push({ type: 'text', text: decodeEntities(s.slice(at, textEnd)) });
      at = textEnd;
      if (lt === -1) break;
      const next = this.markup(s, lt, events, final);
      if (next === -1) break;
      at = next;
    }
    this.pending = s.slice(at);
    if (this.pending.length > MAX_PENDING) throw new XmlError('a tag is too long');
    if (final && this.pending !== '') throw new XmlError('the XML ends inside a tag');
    return events;
  }

  /** Reads the markup at `lt` into `events`; answers where it ends, or -1 when the chunk ends first. */
  private markup(s: string, lt: number, events: XmlEvent[], final: boolean): number {
    // Too little left to tell a comment or CDATA from a DTD: wait for the next chunk.
    if (!final && s.length - lt < 9 && (s.length - lt < 2 || s[lt + 1] === '!')) return -1;
    if (s.startsWith('<?', lt)) return this.after(s, '?>', lt + 2);
    if (s.startsWith('<!--', lt)) return this.after(s, '-->', lt + 4);
    if (s.startsWith('<![CDATA[', lt)) {
      const close = s.indexOf(']]>', lt + 9);
      if (close === -1) return -1;
      events.push({ type: 'text', text: s.slice(lt + 9, close) });
      return close + 3;
    }
    // A DTD could declare entities that expand without bound; office files never carry one.
    if (s.startsWith('<!', lt)) throw new XmlError('DTDs are not allowed');
    if (s.startsWith('</', lt)) {
      const close = s.indexOf('>', lt + 2);
      if (close === -1) return -1;
      events.push({ type: 'close', name: localName(s.slice(lt + 2, close).trim()) });
      return close + 1;
    }
    // The tag ends at the first '>' outside quotes: attribute values may hold '>'.
    let quote = 0;
    let end = lt + 1;
    for (; end < s.length; end++) {
      const c = s.charCodeAt(end);
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === 0x22 || c === 0x27) {
        quote = c;
      } else if (c === 0x3e) {
        break;
      }
    }
    if (end === s.length) return -1;
    const selfClosing = s.charCodeAt(end - 1) === 0x2f;
    const bodyEnd = selfClosing ? end - 1 : end;
    let nameEnd = lt + 1;
    while (nameEnd < bodyEnd && s.charCodeAt(nameEnd) > 0x20) nameEnd++;
    const name = localName(s.slice(lt + 1, nameEnd));
    let attributes: Map<string, string> | undefined;
    // One shared sticky regex: matchAll would copy it for every tag, which dominated the time.
    ATTRIBUTE.lastIndex = nameEnd;
    for (let m = ATTRIBUTE.exec(s); m && ATTRIBUTE.lastIndex <= bodyEnd; m = ATTRIBUTE.exec(s)) {
      const [, key, double, single] = m;
      if (!key.startsWith('xmlns')) (attributes ??= new Map()).set(localName(key), decodeEntities(double ?? single));
    }
    events.push({ type: 'open', name, attributes: attributes ?? NO_ATTRIBUTES });
    if (selfClosing) events.push({ type: 'close', name });
    return end + 1;
  }

  private after(s: string, terminator: string, from: number): number {
    const at = s.indexOf(terminator, from);
    return at === -1 ? -1 : at + terminator.length;
  }
}
