import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { Env } from '../../config/env';

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/** Keeps the first 3 and last 2 digits of any long digit run (phone numbers, ID numbers). */
export function maskDigits(text: string): string {
  return text.replace(/\d{7,}/g, (d) => `${d.slice(0, 3)}${'*'.repeat(d.length - 5)}${d.slice(-2)}`);
}

/**
 * Structured JSON logs (pino) with a request id on every line, taken from the
 * X-Request-Id header when sane, else generated, and echoed in the response.
 * Authorization headers and cookies are redacted; long digit runs in URLs masked.
 */
export function loggerParams(env: Env): Params {
  return {
    pinoHttp: {
      level: env.NODE_ENV === 'test' ? 'silent' : env.LOG_LEVEL,
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const header = req.headers['x-request-id'];
        const id = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          '*.password',
          '*.passwordHash',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: maskDigits(req.url),
          remoteAddress: req.remoteAddress,
        }),
      },
      customProps: () => ({ service: 'lms-api' }),
    },
  };
}
