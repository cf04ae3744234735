import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger as PinoLogger, type LoggerOptions } from 'pino';
import type { Env } from '../../config/env';

/**
 * Addresses that hold a secret in their path (calendar feeds): the secret is replaced, so
 * logs never hold an address that would let a reader in.
 */
const SECRET_PATHS = /(\/api\/calendar\/feeds\/)[^/?#]+/g;

/** A request address as logged: secrets in paths redacted, long digit runs masked. */
export function maskUrl(url: string): string {
  return maskDigits(url.replace(SECRET_PATHS, '$1[redacted]'));
}

/** Keeps the first 3 and last 2 digits of any long digit run (phone numbers, ID numbers). */
export function maskDigits(text: string): string {
  return text.replace(/\d{7,}/g, (d) => `${d.slice(0, 3)}${'*'.repeat(d.length - 5)}${d.slice(-2)}`);
}

/** An error message without the row PostgreSQL quotes after "Failing row contains", hashes or long digit runs. */
function maskErrorMessage(message: string): string {
  return maskDigits(
    message.replace(/Failing row contains[\s\S]*/, 'Failing row contains (...)').replace(/\$argon2\w*\$\S*/g, '[hash]'),
  );
}

/** Fields that name what failed without quoting a value: the SQLSTATE (or Node's code) and where. */
const NAMING_FIELDS = ['code', 'constraint', 'table', 'column'] as const;

/**
 * Replaces pino's standard error serializer, which writes every enumerable property:
 * for TypeORM's QueryFailedError that is the SQL, its parameters and the driver's
 * `detail`, which quotes the failing row. Kept: type, masked message and stack, and for
 * database errors the SQLSTATE, constraint, table and column.
 */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return { message: maskErrorMessage(String(err)) };
  const message = maskErrorMessage(err.message);
  const stack = err.stack ?? '';
  const out: Record<string, unknown> = {
    type: err.constructor.name,
    message,
    // The stack opens with the message; its frames name only files and functions.
    stack: stack.includes(err.message)
      ? stack.replace(err.message, () => message)
      : stack
          .split('\n')
          .filter((line) => /^\s+at /.test(line))
          .join('\n'),
  };
  const source = ((err as { driverError?: unknown }).driverError ?? err) as Record<string, unknown>;
  for (const field of NAMING_FIELDS) {
    if (typeof source[field] === 'string') out[field] = source[field];
  }
  return out;
}

const CENSOR = '[redacted]';
/** Censored at the top of a log line and one level down (`{ dto: { password } }`). */
const CREDENTIAL_KEYS = ['password', 'passwordHash', 'accessToken'];
/** One level down also a headers object's `authorization`. */
const NESTED_CREDENTIAL_KEYS = [...CREDENTIAL_KEYS, 'authorization'];
/** Keys whose serializers below (and Fastify's `res`) write only fields they pick: nothing to censor. */
const SERIALIZED_KEYS = new Set(['req', 'res', 'err']);

/** A copy of `value` with the given keys censored, or undefined when it holds none of them. */
function censored(value: object, keys: readonly string[]): Record<string, unknown> | undefined {
  let copy: Record<string, unknown> | undefined;
  for (const key of keys) {
    if ((value as Record<string, unknown>)[key] !== undefined) {
      copy ??= { ...value };
      copy[key] = CENSOR;
    }
  }
  return copy;
}

/**
 * pino formatter for log objects: censors password, passwordHash and accessToken at the top
 * and one level down, and authorization one level down, as pino's `redact` with those paths
 * did. Copies only an object that holds one of them; other objects are written as they are.
 */
export function redactCredentials(object: Record<string, unknown>): Record<string, unknown> {
  let out = censored(object, CREDENTIAL_KEYS);
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (value === null || typeof value !== 'object' || SERIALIZED_KEYS.has(key)) continue;
    const inner = censored(value, NESTED_CREDENTIAL_KEYS);
    if (inner) {
      out ??= { ...object };
      out[key] = inner;
    }
  }
  return out ?? object;
}

interface LoggedRequest {
  id: string;
  method: string;
  url: string;
  ip?: string;
}

/**
 * Structured JSON logs (pino). Fastify's own pino logger writes the request lines and
 * tags them with the request id (the one echoed in X-Request-Id); Nest's logs go to the
 * same pino instance. Nothing secret is logged: no headers or bodies are serialised,
 * credentials are redacted wherever they appear, long digit runs in URLs are masked.
 * (Fastify's logger rather than pino-http middleware: the middleware cost about a
 * third of the throughput of an authenticated read, see bench/.)
 */
export function pinoOptions(env: Env): LoggerOptions {
  return {
    level: env.NODE_ENV === 'test' ? 'silent' : env.LOG_LEVEL,
    base: { service: 'lms' },
    // Credentials in log objects are censored by `redactCredentials`: pino's `redact` with
    // wildcard paths (`*.password`) copies every object of every line, a quarter of the
    // logging work of a request (bench/: auth-me, request logs at info). `redact` keeps the
    // top-level keys, which is cheap, for child bindings (pino formats them without `formatters`).
    formatters: { log: redactCredentials },
    redact: { paths: [...CREDENTIAL_KEYS], censor: CENSOR },
    serializers: {
      req: (req: LoggedRequest) => ({ method: req.method, url: maskUrl(req.url), ip: req.ip }),
      err: serializeError,
    },
  };
}

/** `destination` defaults to stdout; tests pass a stream to read what the app logs. */
export function createPinoLogger(env: Env, destination?: DestinationStream): PinoLogger {
  return destination ? pino(pinoOptions(env), destination) : pino(pinoOptions(env));
}

/** Nest's LoggerService on top of pino: `new Logger(Context)` lines become JSON with a `context`. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly pino: PinoLogger) {}

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, rest: unknown[]) {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    if (message !== null && typeof message === 'object') {
      const { msg, ...fields } = message as Record<string, unknown>;
      this.pino[level]({ context, ...fields }, typeof msg === 'string' ? msg : '');
    } else {
      this.pino[level]({ context, ...(rest.length ? { details: rest } : {}) }, String(message));
    }
  }

  log(message: unknown, ...rest: unknown[]) {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]) {
    this.write('fatal', message, rest);
  }
}
