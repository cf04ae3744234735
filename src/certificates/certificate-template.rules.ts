import Handlebars from 'handlebars';
import { SaxesParser } from 'saxes';
import { CERTIFICATE_FIELDS, type CertificateField, IMAGE_TOKENS, TEMPLATE_HELPERS } from './certificate-fields';

/** Largest template accepted, in bytes. */
export const MAX_TEMPLATE_BYTES = 512 * 1024;

/** Why a template was refused: `reason` is stable (clients switch on it), `detail` says where, for people. */
export interface TemplateProblem {
  reason:
    | 'too_large'
    | 'malformed'
    | 'not_svg'
    | 'doctype'
    | 'processing_instruction'
    | 'script'
    | 'event_handler'
    | 'foreign_object'
    | 'forbidden_element'
    | 'external_reference'
    | 'handlebars'
    | 'unknown_field'
    | 'render';
  detail: string;
}

/**
 * Elements refused besides <script> and <foreignObject>: those that run, embed another document
 * or change attributes over time (an animation can set an href). The PDF renderer ignores most
 * of them, but the source is also handed back to browsers (GET …/certificate-template).
 */
const FORBIDDEN_ELEMENTS = new Set([
  'iframe',
  'embed',
  'object',
  'audio',
  'video',
  'canvas',
  'animate',
  'animatemotion',
  'animatetransform',
  'animatecolor',
  'set',
  'handler',
  'listener',
  // A <use> draws another element again; nested, ten per level make a page of millions of
  // elements from a kilobyte of source (a "billion laughs" without entities).
  'use',
]);

/** Elements a design may hold, and how deep: a certificate page needs far fewer. */
const MAX_ELEMENTS = 5000;
const MAX_DEPTH = 64;

const FIELDS = new Set<string>(CERTIFICATE_FIELDS);
const HELPERS = new Set<string>(TEMPLATE_HELPERS);
/** `{{seal}}` / `{{logo}}` as the whole href of an <image>, in the source. */
const IMAGE_PLACEHOLDER = /^\{\{\s*(seal|logo)\s*\}\}$/;
const RENDERED_IMAGES = new Set<string>(['', ...Object.values(IMAGE_TOKENS)]);
const FRAGMENT = /^#[^\s#]+$/;

const problem = (reason: TemplateProblem['reason'], detail: string): TemplateProblem => ({ reason, detail });
const localName = (name: string) => name.slice(name.indexOf(':') + 1).toLowerCase();

/**
 * Checks an SVG document's markup: well-formed XML whose root is <svg>, no DOCTYPE (so no
 * entities), no processing instruction, script, event handler, foreignObject or other active
 * element, and no reference outside the document: every href is a `#fragment` (or, on an
 * <image>, the seal or logo placeholder), every `url(…)` a `url(#…)`, no `@import`.
 * `stage` says whether this is the Handlebars source (placeholders as `{{seal}}`) or its output.
 */
export function checkSvgMarkup(xml: string, stage: 'source' | 'rendered'): TemplateProblem | undefined {
  let found: TemplateProblem | undefined;
  let root: string | undefined;
  const parser = new SaxesParser({ position: true });
  const at = () => `line ${parser.line}`;
  const fail = (p: TemplateProblem) => {
    found ??= p;
  };
  parser.on('error', (e) => fail(problem('malformed', e.message)));
  parser.on('doctype', () => fail(problem('doctype', `DOCTYPE (and entities) are not allowed, ${at()}`)));
  parser.on('processinginstruction', (pi) => fail(problem('processing_instruction', `<?${pi.target}?>, ${at()}`)));
  let elements = 0;
  let depth = 0;
  // Handlebars reads comments and CDATA as text: a block opened or closed inside one could hide
  // markup from this check that a trainee's data (an empty field) would bring out.
  const noFields = (kind: string) => (text: string) => {
    if (text.includes('{{')) fail(problem('handlebars', `a field inside ${kind}, ${at()}`));
  };
  parser.on('comment', noFields('a comment'));
  parser.on('cdata', noFields('CDATA'));
  parser.on('closetag', () => {
    depth--;
  });
  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    root ??= name;
    if (++elements > MAX_ELEMENTS) fail(problem('too_large', `more than ${MAX_ELEMENTS} elements`));
    if (++depth > MAX_DEPTH) fail(problem('too_large', `elements nested more than ${MAX_DEPTH} deep, ${at()}`));
    if (name === 'script') fail(problem('script', `<${tag.name}>, ${at()}`));
    else if (name === 'foreignobject') fail(problem('foreign_object', `<${tag.name}>, ${at()}`));
    else if (FORBIDDEN_ELEMENTS.has(name)) fail(problem('forbidden_element', `<${tag.name}>, ${at()}`));
    // Without xmlns processing, attributes are plain strings.
    for (const [attr, value] of Object.entries(tag.attributes as Record<string, string>)) {
      const attrName = localName(attr);
      if (attrName.startsWith('on')) fail(problem('event_handler', `${attr} on <${tag.name}>, ${at()}`));
      else if (attrName === 'href' && !hrefAllowed(value, name, stage)) {
        fail(problem('external_reference', `${attr}="${value.slice(0, 80)}" on <${tag.name}>, ${at()}`));
      } else if (attr.toLowerCase() === 'xml:base' || /javascript:/i.test(value)) {
        fail(problem('external_reference', `${attr} on <${tag.name}>, ${at()}`));
      }
    }
  });
  try {
    parser.write(xml).close();
  } catch (e) {
    fail(problem('malformed', (e as Error).message));
  }
  if (found) return found;
  if (root !== 'svg') return problem('not_svg', root ? `the root element is <${root}>` : 'no element');
  return externalStyleReference(xml);
}

function hrefAllowed(value: string, element: string, stage: 'source' | 'rendered'): boolean {
  const v = value.trim();
  if (FRAGMENT.test(v)) return true;
  if (element !== 'image') return false;
  return stage === 'source' ? IMAGE_PLACEHOLDER.test(v) : RENDERED_IMAGES.has(v);
}

/** A `url(…)` that is not `url(#id)`, or an `@import`, anywhere (attributes, style elements, CDATA). */
function externalStyleReference(xml: string): TemplateProblem | undefined {
  if (/@import/i.test(xml)) return problem('external_reference', '@import');
  for (const m of xml.matchAll(/url\s*\(/gi)) {
    const rest = xml.slice(m.index + m[0].length, m.index + m[0].length + 200);
    if (!/^\s*(['"]|&quot;|&apos;)?\s*#[^\s)'"&]+\s*(['"]|&quot;|&apos;)?\s*\)/.test(rest)) {
      return problem('external_reference', `url(${rest.split(')')[0].slice(0, 80)})`);
    }
  }
  return undefined;
}

/**
 * Checks the Handlebars of a template: it parses, and uses only the fields
 * (CERTIFICATE_FIELDS), `{{#if}}`/`{{#unless}}` on a field and `{{fit field width size}}`;
 * every value is escaped (no `{{{…}}}` or `{{&…}}`), no partials or decorators. So no
 * data can add markup, and no branch hides something the sample render does not reach.
 */
export function checkHandlebars(source: string): TemplateProblem | undefined {
  let program: hbs.AST.Program;
  try {
    program = Handlebars.parse(source);
  } catch (e) {
    return problem('handlebars', (e as Error).message.split('\n')[0]);
  }
  return walk(program);
}

function fieldOf(node: hbs.AST.Node | undefined): CertificateField | undefined {
  if (node?.type !== 'PathExpression') return undefined;
  const path = node as hbs.AST.PathExpression;
  return !path.data && path.depth === 0 && path.parts.length === 1 && FIELDS.has(path.original)
    ? (path.original as CertificateField)
    : undefined;
}

const where = (node: hbs.AST.Node) => `line ${node.loc.start.line}`;

function walk(node: hbs.AST.Program): TemplateProblem | undefined {
  for (const statement of node.body) {
    const found = walkStatement(statement);
    if (found) return found;
  }
  return undefined;
}

function walkStatement(node: hbs.AST.Statement): TemplateProblem | undefined {
  switch (node.type) {
    case 'ContentStatement':
    case 'CommentStatement':
      return undefined;
    case 'MustacheStatement': {
      const m = node as hbs.AST.MustacheStatement;
      const name = m.path.type === 'PathExpression' ? (m.path as hbs.AST.PathExpression).original : '';
      if (!m.escaped) return problem('handlebars', `{{{${name}}}} and {{&${name}}} are not allowed, ${where(m)}`);
      if (m.params.length === 0 && !m.hash) {
        return fieldOf(m.path) ? undefined : problem('unknown_field', `{{${name}}}, ${where(m)}`);
      }
      const fitsField =
        HELPERS.has(name) &&
        !m.hash &&
        m.params.length === 3 &&
        fieldOf(m.params[0]) &&
        m.params.slice(1).every((p) => p.type === 'NumberLiteral' && (p as hbs.AST.NumberLiteral).value > 0);
      return fitsField
        ? undefined
        : problem('handlebars', `{{${name} …}}: only {{fit <field> <width> <size>}} takes arguments, ${where(m)}`);
    }
    case 'BlockStatement': {
      const b = node as hbs.AST.BlockStatement;
      const name = b.path.type === 'PathExpression' ? b.path.original : '';
      if (!['if', 'unless'].includes(name) || b.params.length !== 1 || b.hash || !fieldOf(b.params[0])) {
        return problem('handlebars', `{{#${name} …}}: only {{#if <field>}} and {{#unless <field>}}, ${where(b)}`);
      }
      return walk(b.program) ?? (b.inverse ? walk(b.inverse) : undefined);
    }
    default:
      return problem('handlebars', `${node.type} is not allowed (no partials or decorators), ${where(node)}`);
  }
}

/** Every check that needs no rendering, in order: size, Handlebars, the source's markup. */
export function checkTemplateSource(source: string): TemplateProblem | undefined {
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > MAX_TEMPLATE_BYTES) return problem('too_large', `${bytes} bytes, at most ${MAX_TEMPLATE_BYTES}`);
  return checkHandlebars(source) ?? checkSvgMarkup(source, 'source');
}
