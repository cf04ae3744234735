import { XmlError, type XmlEvent, XmlScanner } from './xml-scanner';

/** Scans `xml` cut into pieces of `size` bytes; adjacent text events are joined, attributes made plain. */
function scan(xml: string, size = Infinity): unknown[] {
  const bytes = Buffer.from(xml);
  const scanner = new XmlScanner();
  const events: XmlEvent[] = [];
  for (let at = 0; at < bytes.length; at += Math.min(size, bytes.length)) {
    events.push(...scanner.write(bytes.subarray(at, at + size)));
  }
  events.push(...scanner.end());
  const out: unknown[] = [];
  for (const e of events) {
    const last = out.at(-1) as { text?: string } | undefined;
    if (e.type === 'text' && last?.text !== undefined) last.text += e.text;
    else out.push(e.type === 'open' ? { ...e, attributes: Object.fromEntries(e.attributes) } : { ...e });
  }
  return out;
}

const sheet =
  '<?xml version="1.0" encoding="UTF-8"?>\n<!-- made by hand -->' +
  '<x:worksheet xmlns:x="urn:x" xmlns:r="urn:r"><x:row r="1" spans=\'1:2\'>' +
  '<x:c r="A1" t="inlineStr"><x:is><x:t>张 &amp; &lt;三&gt; &#x4E09;&#19977; &quot;q&apos;</x:t></x:is></x:c>' +
  '<x:c r="B1" note="a > b"/><x:c><![CDATA[<not a tag> & raw]]></x:c></x:row></x:worksheet>';

const expected = [
  { type: 'open', name: 'worksheet', attributes: {} },
  { type: 'open', name: 'row', attributes: { r: '1', spans: '1:2' } },
  { type: 'open', name: 'c', attributes: { r: 'A1', t: 'inlineStr' } },
  { type: 'open', name: 'is', attributes: {} },
  { type: 'open', name: 't', attributes: {} },
  { type: 'text', text: '张 & <三> 三三 "q\'' },
  { type: 'close', name: 't' },
  { type: 'close', name: 'is' },
  { type: 'close', name: 'c' },
  { type: 'open', name: 'c', attributes: { r: 'B1', note: 'a > b' } },
  { type: 'close', name: 'c' },
  { type: 'open', name: 'c', attributes: {} },
  { type: 'text', text: '<not a tag> & raw' },
  { type: 'close', name: 'c' },
  { type: 'close', name: 'row' },
  { type: 'close', name: 'worksheet' },
];

describe('XmlScanner', () => {
  it('reads tags, attributes, entities, CDATA and comments, dropping namespace prefixes', () => {
    expect(scan(sheet).filter((e) => (e as { text?: string }).text !== '\n')).toEqual(expected);
  });

  it.each([1, 2, 3, 7, 64])('gives the same events however the bytes are cut (every %i bytes)', (size) => {
    expect(scan(sheet, size)).toEqual(scan(sheet));
  });

  it.each([
    ['a DTD (entity expansion)', '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'],
    ['bytes that are not UTF-8', '<x>\xff</x>'],
    ['a character reference to nothing', '<x>&#0;</x>'],
    ['a character reference past Unicode', '<x>&#x110000;</x>'],
    ['a document cut inside a tag', '<x><y a="1"'],
  ])('refuses %s', (_what, xml) => {
    const bytes = xml.includes('\xff') ? Buffer.from(xml, 'latin1') : Buffer.from(xml);
    const scanner = new XmlScanner();
    expect(() => [...scanner.write(bytes), ...scanner.end()]).toThrow(XmlError);
  });

  it('refuses a tag too long to be a real one, without waiting for its end', () => {
    const scanner = new XmlScanner();
    expect(() => scanner.write(Buffer.from(`<x a="${'y'.repeat(200 * 1024)}`))).toThrow(XmlError);
  });

  it('hands out long text as it comes instead of holding it', () => {
    const scanner = new XmlScanner();
    const events = scanner.write(Buffer.from(`<t>${'z'.repeat(300 * 1024)}`));
    expect(events.at(-1)).toEqual({ type: 'text', text: 'z'.repeat(300 * 1024) });
  });

  it('keeps unknown entities as written', () => {
    expect(scan('<t>&nbsp; & a&b</t>')[1]).toEqual({ type: 'text', text: '&nbsp; & a&b' });
  });
});
