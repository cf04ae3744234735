import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkHandlebars, checkSvgMarkup, checkTemplateSource, MAX_TEMPLATE_BYTES } from './certificate-template.rules';

const svg = (inner: string, attrs = '') =>
  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 297 210"${attrs}>${inner}</svg>`;
const reason = (source: string) => checkTemplateSource(source)?.reason;

describe('certificate template checks', () => {
  it('accept the shipped default', () => {
    const source = readFileSync(path.join(__dirname, '../../templates/certificates/default.svg.hbs'), 'utf8');
    expect(checkTemplateSource(source)).toBeUndefined();
  });

  it('accept fields, if/unless on fields, fit, fragments, url(#id), and the seal and logo placeholders', () => {
    const source = svg(
      `<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs>
       <style>.a { fill: url(#g); }</style>
       <rect width="10" height="10" fill="url('#g')" style="stroke: url(#g)"/>
       <text font-size="{{fit name 180 14}}">{{name}}</text>
       {{#if score}}<text>{{score}}</text>{{else}}<text>—</text>{{/if}}
       {{#unless township}}<text>无</text>{{/unless}}
       {{#if seal}}<image href="{{seal}}" width="40" height="40"/>{{/if}}
       <image xlink:href="{{ logo }}"/>
       <path d="{{qr}}"/>{{!-- a comment with {{name}} --}}`,
    );
    expect(checkTemplateSource(source)).toBeUndefined();
  });

  it.each([
    ['script', svg('<script>alert(1)</script>'), 'script'],
    ['namespaced script', svg('<svg:script xmlns:svg="http://www.w3.org/2000/svg"/>'), 'script'],
    ['onload', svg('<rect/>', ' onload="alert(1)"'), 'event_handler'],
    ['onclick on a child', svg('<rect onClick="x()"/>'), 'event_handler'],
    ['foreignObject', svg('<foreignObject><div/></foreignObject>'), 'foreign_object'],
    [
      'animation setting an href',
      svg('<a href="#x"><set attributeName="href" to="https://x.example"/></a>'),
      'forbidden_element',
    ],
    ['iframe', svg('<iframe/>'), 'forbidden_element'],
    ['external image', svg('<image href="https://evil.example/x.png"/>'), 'external_reference'],
    ['external xlink image', svg('<image xlink:href="http://evil.example/x.png"/>'), 'external_reference'],
    ['local file image', svg('<image href="/etc/passwd"/>'), 'external_reference'],
    ['data: image', svg('<image href="data:image/png;base64,AAAA"/>'), 'external_reference'],
    ['a field as an href', svg('<image href="{{name}}"/>'), 'external_reference'],
    ['the seal placeholder outside an image', svg('<a href="{{seal}}"><text>x</text></a>'), 'external_reference'],
    ['a link elsewhere', svg('<a href="https://evil.example"><text>x</text></a>'), 'external_reference'],
    ['url() to a file', svg('<rect fill="url(https://evil.example/p.svg#g)"/>'), 'external_reference'],
    ['url() in a style element', svg('<style>.a { background: url("x.png") }</style>'), 'external_reference'],
    ['@import', svg('<style>@import "https://evil.example/a.css";</style>'), 'external_reference'],
    ['javascript: anywhere', svg('<rect style="x: javascript:alert(1)"/>'), 'external_reference'],
    ['xml:base', svg('<g xml:base="https://evil.example/"/>'), 'external_reference'],
    [
      'DOCTYPE with entities',
      `<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>${svg('<text>&x;</text>')}`,
      'doctype',
    ],
    [
      'processing instruction',
      `<?xml-stylesheet href="https://evil.example/a.css"?>${svg('')}`,
      'processing_instruction',
    ],
    ['malformed XML', '<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', 'malformed'],
    ['an undefined entity', svg('<text>&nbsp;</text>'), 'malformed'],
    ['a mustache inside a tag', svg('<rect {{name}}="x"/>'), 'malformed'],
    ['not an svg', '<html><body/></html>', 'not_svg'],
    ['an unknown field', svg('<text>{{password}}</text>'), 'unknown_field'],
    ['a nested path', svg('<text>{{name.length}}</text>'), 'unknown_field'],
    ['@root data', svg('<text>{{@root.name}}</text>'), 'unknown_field'],
    ['unescaped output', svg('<text>{{{name}}}</text>'), 'handlebars'],
    ['unescaped with &', svg('<text>{{&name}}</text>'), 'handlebars'],
    ['a partial', svg('<text>{{> evil}}</text>'), 'handlebars'],
    ['each', svg('{{#each name}}<text/>{{/each}}'), 'handlebars'],
    ['a helper other than fit', svg('<text>{{lookup name 0}}</text>'), 'handlebars'],
    ['fit on a non-field', svg('<text font-size="{{fit "x" 10 10}}">x</text>'), 'handlebars'],
    ['broken Handlebars', svg('<text>{{#if name}}</text>'), 'handlebars'],
    ['a script hidden in a branch', svg('{{#if score}}<script/>{{/if}}'), 'script'],
  ])('refuse %s', (_what, source, expected) => {
    expect(reason(source)).toBe(expected);
  });

  it('refuse a template over 512 KB', () => {
    const big = svg(`<!-- ${'x'.repeat(MAX_TEMPLATE_BYTES)} -->`);
    expect(checkTemplateSource(big)).toEqual({ reason: 'too_large', detail: expect.stringContaining('bytes') });
  });

  it('check rendered output with the image tokens in place of the placeholders', () => {
    expect(checkSvgMarkup(svg('<image href="lms-image:seal"/>'), 'rendered')).toBeUndefined();
    expect(checkSvgMarkup(svg('<image href=""/>'), 'rendered')).toBeUndefined();
    expect(checkSvgMarkup(svg('<image href="{{seal}}"/>'), 'rendered')?.reason).toBe('external_reference');
    expect(checkSvgMarkup(svg('<image href="lms-image:seal"/>'), 'source')?.reason).toBe('external_reference');
  });

  it('refuse <use> (a kilobyte of nested clones draws millions of elements), deep nesting and too many elements', () => {
    expect(reason(svg('<defs><g id="a"><rect/></g></defs><use href="#a"/>'))).toBe('forbidden_element');
    expect(reason(svg(`${'<g>'.repeat(65)}${'</g>'.repeat(65)}`))).toBe('too_large');
    expect(reason(svg(`${'<g>'.repeat(60)}${'</g>'.repeat(60)}`))).toBeUndefined();
    expect(reason(svg('<rect/>'.repeat(5001)))).toBe('too_large');
  });

  it('refuse a field inside a comment or CDATA (a block there could hide markup the check never sees)', () => {
    const hidden = svg(
      '{{#if township}}<!--{{/if}}<script>alert(1)</script>{{#if township}}-->{{/if}}<text>{{name}}</text>',
    );
    expect(reason(hidden)).toBe('handlebars');
    expect(reason(svg('<style><![CDATA[{{#if score}}]]></style>'))).toBe('handlebars');
    // Comments and CDATA without fields are fine (drawing programs write them).
    expect(
      reason(svg('<!-- Generator: Adobe Illustrator --><style><![CDATA[.a{fill:#000}]]></style>')),
    ).toBeUndefined();
  });

  it('say where the problem is', () => {
    expect(checkHandlebars('<svg>\n\n<text>{{nope}}</text></svg>')).toEqual({
      reason: 'unknown_field',
      detail: '{{nope}}, line 3',
    });
    expect(checkSvgMarkup('<svg>\n<script/></svg>', 'source')).toEqual({
      reason: 'script',
      detail: '<script>, line 2',
    });
  });
});
