import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { Env } from '../../config/env';
import { requestId } from '../http/http-setup';

/** Keeps the first 3 and last 2 digits of any long digit run (phone numbers, ID numbers). */
export function maskDigits(text: string): string {
  return text.replace(/\d{7,}/g, (d) => `${d.slice(0, 3)}${'*'.repeat(d.length - 5)}${d.slice(-2)}`);
}

/**
 * Structured JSON logs (pino) with the request id on every line (the one echoed in
 * the X-Request-Id response header).
 * Authorization headers and cookies are redacted; long digit runs in URLs masked.
 */
export function loggerParams(env: Env): Params {
  return {
    pinoHttp: {
      level: env.NODE_ENV === 'test' ? 'silent' : env.LOG_LEVEL,
      // Fastify assigns the id (see http-setup.ts) and @fastify/middie copies it to the raw request.
      genReqId: (req: IncomingMessage) => req.id ?? requestId(req),
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
