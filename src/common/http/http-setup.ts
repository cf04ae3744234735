import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import sjson from 'secure-json-parse';
import { DomainError } from '../errors/domain-error';
import { jsonWithLocalInstants } from '../time/zoned-time';
import { hasForbiddenCharacter } from '../validation/text';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on page routes that take an HTML form (src/web/): they accept application/x-www-form-urlencoded. */
    acceptsForm?: boolean;
  }
}

const REQUEST_ID = /^[\w.:-]{1,100}$/;
/**
 * Deepest nesting of arrays and objects a body may have. Ours nest three levels at most;
 * a deeper body would only exhaust the stack of the recursive steps after parsing.
 */
export const MAX_JSON_DEPTH = 32;
/** Most keys one object of a body may have: ours have a dozen; thousands would only cost time to refuse one by one. */
export const MAX_OBJECT_KEYS = 200;
/** Keys that could reach an object's prototype; no field of ours has these names. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** True when the JSON text nests deeper than `max`; one pass, no recursion, strings skipped. */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** True when an object of the body (arrays aside) has more than MAX_OBJECT_KEYS keys. */
function hasTooManyKeys(value: unknown, depth = 0): boolean {
  if (depth > MAX_JSON_DEPTH || value === null || typeof value !== 'object') return false;
  const children = Object.values(value);
  if (!Array.isArray(value) && children.length > MAX_OBJECT_KEYS) return true;
  return children.some((child) => hasTooManyKeys(child, depth + 1));
}

function findForbiddenKey(value: unknown, depth = 0): string | undefined {
  if (depth > MAX_JSON_DEPTH || value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(key)) return key;
    const found = findForbiddenKey(child, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Whether a parsed body holds, in a key or string, a character no stored text may hold (NUL, controls, direction marks). */
function containsForbiddenCharacter(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return hasForbiddenCharacter(value);
  if (depth > MAX_JSON_DEPTH || value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(
    ([key, child]) => hasForbiddenCharacter(key) || containsForbiddenCharacter(child, depth + 1),
  );
}

const invalidCharacter = (where: 'body' | 'address') =>
  new DomainError('INVALID_CHARACTER', 'invalid', { key: `INVALID_CHARACTER#${where}` });

/**
 * An HTML form's fields (application/x-www-form-urlencoded), last value winning. The same
 * refusals as for JSON: keys that could reach a prototype, control and direction characters,
 * more than MAX_OBJECT_KEYS fields.
 */
export function parseFormBody(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  let count = 0;
  for (const [key, value] of new URLSearchParams(text)) {
    if (++count > MAX_OBJECT_KEYS) throw new DomainError('BAD_REQUEST', 'invalid');
    if (FORBIDDEN_KEYS.has(key)) throw new DomainError('FORBIDDEN_KEY', 'invalid', { args: { key } });
    if (hasForbiddenCharacter(key) || hasForbiddenCharacter(value)) throw invalidCharacter('body');
    fields[key] = value;
  }
  return fields;
}

/**
 * helmet's security headers, worked out once: with this configuration they are the same for
 * every answer, so helmet runs here against a recording stand-in instead of running its
 * dozen middlewares on every request.
 */
const SECURITY_HEADERS: Record<string, string> = (() => {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
    getHeader: (name: string) => headers[name.toLowerCase()],
  };
  helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        // County libraries often serve the API over plain HTTP on their own network.
        upgradeInsecureRequests: null,
      },
    },
  })({} as IncomingMessage, recorder as unknown as ServerResponse, () => undefined);
  return headers;
})();

/** Fastify's request id: the client's X-Request-Id when it looks sane, else a new UUID. */
export function requestId(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * Body handling for a JSON API:
 * - JSON is parsed with prototype-poisoning protection; bad JSON is 400 INVALID_JSON,
 *   keys like __proto__ or constructor anywhere in it are 400 FORBIDDEN_KEY (Nest would
 *   otherwise turn Fastify's error into a code-less 400), and nesting deeper than
 *   MAX_JSON_DEPTH is 400 JSON_TOO_DEEP before anything recursive reads it;
 * - answers are written with every instant in the centre's offset (`zone`);
 * - a NUL character in the body or the address is 400 INVALID_CHARACTER (PostgreSQL
 *   cannot store one in text, so it would otherwise come back as a 500), and so are the
 *   other control characters but tab and line breaks, and the invisible marks that reorder
 *   text (a name with U+202E reads backwards on every screen and printout);
 * - text/plain is not accepted (415), like any other type without a parser,
 *   multipart/form-data only on routes marked @AcceptsUpload(), and HTML forms
 *   (application/x-www-form-urlencoded) only on page routes that take one;
 * - every answer carries the request id in X-Request-Id and helmet's security headers.
 */
export function configureHttp(fastify: FastifyInstance, zone: string): void {
  fastify.setReplySerializer(jsonWithLocalInstants(zone));
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(new DomainError('INVALID_JSON', 'invalid', { key: 'INVALID_JSON#empty' }), undefined);
      return;
    }
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      done(
        new DomainError('JSON_TOO_DEEP', 'invalid', {
          args: { maxDepth: MAX_JSON_DEPTH },
          details: { maxDepth: MAX_JSON_DEPTH },
        }),
        undefined,
      );
      return;
    }
    let parsed: unknown;
    try {
      parsed = sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch (e) {
      const poisoned = e instanceof SyntaxError && /forbidden (prototype|constructor) property/.test(e.message);
      done(
        poisoned
          ? new DomainError('FORBIDDEN_KEY', 'invalid', { args: { key: '__proto__' } })
          : new DomainError('INVALID_JSON', 'invalid'),
        undefined,
      );
      return;
    }
    if (hasTooManyKeys(parsed)) {
      done(
        new DomainError('JSON_TOO_MANY_KEYS', 'invalid', {
          args: { max: MAX_OBJECT_KEYS },
          details: { maxKeys: MAX_OBJECT_KEYS },
        }),
        undefined,
      );
      return;
    }
    const forbidden = findForbiddenKey(parsed);
    if (forbidden) {
      done(new DomainError('FORBIDDEN_KEY', 'invalid', { args: { key: forbidden } }), undefined);
      return;
    }
    if (containsForbiddenCharacter(parsed)) {
      done(invalidCharacter('body'), undefined);
      return;
    }
    done(null, parsed);
  });
  // HTML forms only on the page routes that take one (@RouteConfig({ acceptsForm: true })); the API
  // answers them 415 as before, so form fields never stand in for JSON.
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
    if (!request.routeOptions.config?.acceptsForm) {
      done(new DomainError('UNSUPPORTED_MEDIA_TYPE', 'unsupported_media_type'), undefined);
      return;
    }
    try {
      done(null, parseFormBody(typeof body === 'string' ? body : body.toString('utf8')));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  // Multipart only where a route takes a file (@AcceptsUpload): elsewhere @fastify/multipart would hand
  // the form fields to the route's DTO as if they were JSON. Checked before any of the body is read.
  // Only %00 decodes to NUL in a query value or path parameter (a raw NUL never gets past the HTTP parser).
  fastify.addHook('onRequest', (request, reply, next) => {
    void reply.header('x-request-id', request.id).headers(SECURITY_HEADERS);
    if (request.url.includes('%00')) return next(invalidCharacter('address'));
    const multipart = /^multipart\//i.test(request.headers['content-type'] ?? '');
    if (multipart && !request.is404 && !request.routeOptions.config.acceptsUpload) {
      return next(
        new DomainError('UNSUPPORTED_MEDIA_TYPE', 'unsupported_media_type', { key: 'UNSUPPORTED_MEDIA_TYPE#json' }),
      );
    }
    next();
  });
}
