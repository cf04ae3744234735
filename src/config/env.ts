import { hkdfSync } from 'node:crypto';
import { isIP } from 'node:net';
import { plainToInstance, Transform } from 'class-transformer';
import { parseExpression } from 'cron-parser';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

/**
 * The one place environment variables are declared, defaulted and validated.
 * Start-up fails with a message naming every bad variable (not just the first).
 */
export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

const toNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export class Env {
  @IsIn(NODE_ENVS)
  NODE_ENV: NodeEnv = 'development';

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/lms';

  /** PostgreSQL connections each process (API or worker) keeps at most; processes × this must stay under max_connections. */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(500)
  DATABASE_POOL_SIZE = 20;

  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix for every Redis key this service writes; lets tests and tenants share one Redis. */
  @IsString()
  REDIS_PREFIX = 'lms:';

  /**
   * Signs access tokens; at least 32 characters, required by the API (never defaulted: a
   * default would be a secret written in the repository). `npm start` makes one for a first
   * look and keeps it outside the repository (src/cli/local-secret.ts).
   */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(60 * 60 * 24 * 30)
  JWT_EXPIRES_IN_SECONDS = 60 * 60 * 12;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /**
   * Where people reach this service (scheme, host, any path prefix; no trailing slash), for
   * addresses it hands out: calendar feeds, later certificate checks. Never taken from a
   * request's Host header, which the client writes. Required in production; elsewhere
   * `http://localhost:<PORT>`.
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*[^\s?#/])?$/, {
    message: 'PUBLIC_BASE_URL must be an http(s) address without a trailing slash, e.g. https://lms.example.org',
  })
  PUBLIC_BASE_URL?: string;

  @IsString()
  TZ_DEFAULT = 'Asia/Shanghai';

  /** Comma-separated origins allowed by CORS; empty means cross-origin browser calls are refused. */
  @IsString()
  CORS_ORIGINS = '';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Failed sign-ins for one username from one client address before 429 (see login-throttle.service.ts). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES_PER_USER = 5;

  /**
   * Failed sign-ins for one username from every address it has not signed in from lately:
   * slows guessing spread over many addresses without locking the owner out.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_MAX_ACCOUNT_FAILURES = 20;

  /**
   * Failed sign-ins from one client address, forgiven per username when it then signs in
   * there: high enough that a training room behind one address never reaches it.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES_PER_IP = 100;

  /** Failures are forgotten this long after the last one; also the longest refusal. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60;

  /** The first refusal past a limit; each further failure doubles it, up to the window. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_BACKOFF_SECONDS = 60;

  /** How long an address where a username signed in stays exempt from that username's account limit (0: never). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(365)
  LOGIN_KNOWN_ADDRESS_DAYS = 30;

  /** Largest JSON body accepted, in bytes (413 above it). */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  /** Largest uploaded file (user import), in bytes (413 above it). */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  UPLOAD_LIMIT_BYTES = 5 * 1024 * 1024;

  /**
   * Which proxies' X-Forwarded-For to believe, so per-address throttling sees the client:
   * `false`, a hop count (`1` for one load balancer) or proxy addresses/CIDRs (see trustProxy).
   */
  @IsString()
  TRUST_PROXY = 'false';

  /**
   * Key for self check-in codes (HMAC); at least 32 characters. Every API process must
   * share it. Without it, one is derived from JWT_SECRET.
   */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'CHECK_IN_SECRET must be at least 32 characters' })
  CHECK_IN_SECRET?: string;

  /** How long a self check-in window stays open unless the trainer asks for another length. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(240)
  CHECK_IN_WINDOW_MINUTES = 15;

  /** A self check-in later than this many minutes after the session starts is `late`. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(240)
  CHECK_IN_LATE_AFTER_MINUTES = 10;

  /** Wrong codes a trainee may enter per session before check-in answers 429. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  CHECK_IN_MAX_WRONG_CODES = 5;

  /**
   * Public certificate lookups (GET /api/certificates/verify/:code, page or JSON) one client
   * address may make in a minute before 429; an IPv6 address counts by its /64.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  CERTIFICATE_VERIFY_PER_MINUTE = 30;

  /**
   * Minutes before a session at which its trainees and trainer are reminded, comma-separated.
   * Decimals are allowed (0.05 is three seconds: tests use them).
   */
  @Matches(/^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$/, {
    message: 'REMINDER_OFFSETS_MINUTES must be comma-separated minutes, e.g. 1440,120',
  })
  REMINDER_OFFSETS_MINUTES = '1440,120';

  /** Hours before enrolment closes at which townships below a class's minimum are flagged to their contacts. */
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  @Max(24 * 60)
  ENROLMENT_GAP_NOTICE_HOURS = 72;

  /**
   * Seconds after an attempt's deadline in which answers given before the deadline (sent late by
   * a phone whose network dropped) are still saved, and a hand-in still counts. The server closes
   * the attempt at the end of it, dated at the deadline.
   */
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  @Max(600)
  QUIZ_GRACE_SECONDS = 30;

  /**
   * Minutes before a quiz closes at which trainees who have not handed it in are reminded. A quiz
   * open for less than that is reminded halfway through.
   */
  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  @Max(60 * 24 * 14)
  QUIZ_CLOSING_REMINDER_MINUTES = 1440;

  /** Days after a class completes by which each township's follow-up visit is due. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(365)
  VISIT_DUE_DAYS = 30;

  /** Days before a visit's due date at which its assignee is reminded. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60)
  VISIT_DUE_NOTICE_DAYS = 3;

  /**
   * When the annual-rotation reminder goes to each township's contacts: a cron pattern in the
   * centre's time zone. Default: 09:00 on the first day of each quarter.
   */
  @Matches(/^\S+(\s+\S+){4,5}$/, { message: 'ROTATION_REMINDER_CRON must be a cron pattern, e.g. 0 9 1 1,4,7,10 *' })
  ROTATION_REMINDER_CRON = '0 9 1 1,4,7,10 *';

  /** Local hours (centre's time zone) in which SMS and e-mail wait for morning; `HH:mm-HH:mm`, or empty for none. */
  @Matches(/^(([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)?$/, {
    message: 'QUIET_HOURS must be HH:mm-HH:mm (e.g. 21:00-08:00) or empty',
  })
  QUIET_HOURS = '21:00-08:00';

  /** SMTP server for e-mail, e.g. smtps://user:pass@mail.example.org:465; without it, e-mail is not offered. */
  @IsOptional()
  @Matches(/^smtps?:\/\/.+/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  /** The From address of e-mail. */
  @IsString()
  SMTP_FROM = 'training@localhost';

  /** Where SMS go: `log` (written to the log, nothing sent) or `http` (a gateway, see SMS_HTTP_URL). */
  @IsIn(['log', 'http'])
  SMS_PROVIDER: 'log' | 'http' = 'log';

  /** The gateway's address for SMS_PROVIDER=http: a JSON POST per message. */
  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'SMS_HTTP_URL must be an http(s) URL' })
  SMS_HTTP_URL?: string;

  /** Key of the HMAC-SHA256 signature the gateway checks (X-Signature header); at least 32 characters. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'SMS_HTTP_SECRET must be at least 32 characters' })
  SMS_HTTP_SECRET?: string;

  /**
   * The library's help line, shown on the login and 忘记密码 pages ("ask the library") when
   * passwords cannot be reset by SMS (SMS_PROVIDER is not http). Optional: without it the
   * pages only say to ask the library.
   */
  @IsOptional()
  @Matches(/^\+?[0-9][0-9 ()-]{2,24}$/, { message: 'LIBRARY_PHONE must be a phone number, e.g. 0737-1234567' })
  LIBRARY_PHONE?: string;

  /** Jobs one worker process runs at once, per queue (each queue has its own BullMQ worker). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  WORKER_CONCURRENCY = 20;

  /** Tries a job gets (message delivery included) before it is failed and shown to admins. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  JOB_ATTEMPTS = 6;

  /** First retry delay in milliseconds; each further retry doubles it. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  JOB_BACKOFF_MS = 30_000;

  /** How often the reconciler re-creates from PostgreSQL any job Redis lost, in seconds. */
  @Transform(toInt)
  @IsInt()
  @Min(5)
  RECONCILE_INTERVAL_SECONDS = 300;

  /**
   * How long a running job's lock lasts without renewal, in milliseconds: a job whose worker
   * died is taken over by another worker after about this long.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  JOB_LOCK_MS = 30_000;

  /** On SIGTERM, how long a worker waits for its running jobs before handing them back. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  WORKER_SHUTDOWN_GRACE_SECONDS = 30;

  /** A user import of more rows than this runs as a background job (202 with its progress address). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  IMPORT_ASYNC_ROWS = 200;

  /** Rows a background import writes per transaction; its progress moves by this much. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  IMPORT_BATCH_ROWS = 50;

  /** A font with Chinese glyphs for PDFs (TTF, OTF or a TTC collection). */
  @IsString()
  PDF_FONT_PATH = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

  /** The font's PostScript name inside a TTC collection (ignored for TTF and OTF files). */
  @IsString()
  PDF_FONT_NAME = 'NotoSansCJKsc-Regular';

  /**
   * The prepared font `npm run fonts:prepare` writes (an absolute path to an .otf): the face
   * above, flattened so that subsetting it costs under a millisecond per PDF (see
   * src/common/pdf/pdf-font.ts). Used when the file exists, else PDFs use PDF_FONT_PATH.
   * Default: fonts/<PDF_FONT_NAME>.otf in the state folder (LMS_STATE_DIR or ~/.local/state/training-lms).
   */
  @IsOptional()
  @Matches(/^\/.+\.otf$/i, { message: 'PDF_PREPARED_FONT_PATH must be an absolute path to an .otf file' })
  PDF_PREPARED_FONT_PATH?: string;

  /**
   * Worker threads drawing PDFs per process. Each keeps a core busy while it draws; the event
   * loop mostly waits meanwhile, so on two cores two threads print about half as fast again as one.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(16)
  PDF_THREADS = 2;

  /**
   * Seconds a PDF may take, waiting for a thread included, before its thread is stopped and the
   * request answered 503 PDF_RENDER_LIMIT: a design or picture that would hold a thread forever
   * cannot stop every other printout. A class's 1,000-page batch takes about 10 s.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600)
  PDF_JOB_TIMEOUT_SECONDS = 120;
}

export class EnvValidationError extends Error {}

/** Names proxy-addr (Fastify's trustProxy) knows for address ranges. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/**
 * TRUST_PROXY as Fastify's `trustProxy` takes it. Never `true`: that trusts the left-most
 * X-Forwarded-For address, which any client can write. Throws on a value it cannot read.
 */
export function trustProxy(env: Pick<Env, 'TRUST_PROXY'>): false | number | string[] {
  const value = env.TRUST_PROXY.trim();
  if (value === 'false') return false;
  if (/^[1-9]\d{0,2}$/.test(value)) return Number(value);
  const entries = value.split(',').map((e) => e.trim());
  if (entries.every(isProxyAddress)) return entries;
  throw new EnvValidationError(
    'TRUST_PROXY must be false, a hop count (1 for one load balancer in front) or a comma-separated list of ' +
      `proxy addresses or CIDRs (got "${value}"; true is refused: it trusts addresses clients make up)`,
  );
}

export interface ValidateOptions {
  /** What the API needs and command-line tools (migrate, seed) do not: JWT_SECRET, and PUBLIC_BASE_URL in production. */
  api?: boolean;
  /**
   * The process that sends messages (the worker): in production SMS_PROVIDER must be chosen,
   * so nobody runs for months believing `log` sent their SMS, and PUBLIC_BASE_URL set, so the
   * links in messages point at the service.
   */
  messaging?: boolean;
}

/**
 * Variables whose empty value is a setting of its own ("none"), not "unset, use the default":
 * `QUIET_HOURS=` turns quiet hours off. Every other empty variable counts as left out.
 */
const EMPTY_MEANS_NONE = new Set(['QUIET_HOURS']);

/** Validates a raw environment; throws one error naming every bad variable. */
export function validateEnv(raw: Record<string, string | undefined>, options: ValidateOptions = {}): Env {
  const defined = Object.fromEntries(
    Object.entries(raw).filter(([k, v]) => v !== undefined && (v !== '' || EMPTY_MEANS_NONE.has(k))),
  );
  const env = plainToInstance(Env, defined, { exposeDefaultValues: true });
  const problems: string[] = [];
  for (const error of validateSync(env, { whitelist: false, skipMissingProperties: false, stopAtFirstError: true })) {
    problems.push(...Object.values(error.constraints ?? { invalid: `${error.property} is invalid` }));
  }
  if (options.api && !env.JWT_SECRET) problems.push(JWT_SECRET_MISSING);
  // The API hands out addresses (calendar feeds); the worker writes them into messages (a
  // certificate's verification link): both need the real one in production.
  if ((options.api || options.messaging) && env.NODE_ENV === 'production' && !env.PUBLIC_BASE_URL) {
    problems.push('PUBLIC_BASE_URL is required in production: the address people reach this service at');
  }
  try {
    trustProxy(env);
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (options.messaging && env.NODE_ENV === 'production' && !defined.SMS_PROVIDER) {
    problems.push(
      'SMS_PROVIDER is required in production: http (a gateway, see SMS_HTTP_URL) or log (SMS only logged)',
    );
  }
  if (env.SMS_PROVIDER === 'http' && (!env.SMS_HTTP_URL || !env.SMS_HTTP_SECRET)) {
    problems.push('SMS_PROVIDER=http needs SMS_HTTP_URL and SMS_HTTP_SECRET');
  }
  if (reminderOffsetsMs(env).length === 0)
    problems.push('REMINDER_OFFSETS_MINUTES must name at least one offset above 0');
  try {
    parseExpression(env.ROTATION_REMINDER_CRON, { tz: isValidTimeZone(env.TZ_DEFAULT) ? env.TZ_DEFAULT : 'UTC' });
  } catch {
    problems.push(`ROTATION_REMINDER_CRON is not a cron pattern (got "${env.ROTATION_REMINDER_CRON}")`);
  }
  if (!isValidTimeZone(env.TZ_DEFAULT)) {
    problems.push(`TZ_DEFAULT must be an IANA time zone such as Asia/Shanghai (got "${env.TZ_DEFAULT}")`);
  }
  if (problems.length > 0) {
    throw new EnvValidationError(`Invalid environment:\n  - ${problems.join('\n  - ')}`);
  }
  return env;
}

const JWT_SECRET_MISSING =
  'JWT_SECRET is required: at least 32 random characters, the same on every API process ' +
  '(e.g. `openssl rand -hex 32`; `npm start` makes one for a first look)';

/** The token-signing secret; the API refuses to start without one (see ValidateOptions). */
export function jwtSecret(env: Env): string {
  if (!env.JWT_SECRET) throw new EnvValidationError(`Invalid environment:\n  - ${JWT_SECRET_MISSING}`);
  return env.JWT_SECRET;
}

/** The address this service is reached at, for the addresses it hands out. */
export function publicBaseUrl(env: Env): string {
  return env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`;
}

/** REMINDER_OFFSETS_MINUTES as milliseconds, largest first, without repeats. */
export function reminderOffsetsMs(env: Pick<Env, 'REMINDER_OFFSETS_MINUTES'>): number[] {
  const ms = env.REMINDER_OFFSETS_MINUTES.split(',').map((m) => Math.round(Number(m.trim()) * 60_000));
  return [...new Set(ms.filter((m) => m > 0))].sort((a, b) => b - a);
}

/** The key self check-in codes are signed with: CHECK_IN_SECRET, or one derived from the JWT secret. */
export function checkInKey(env: Env): Buffer {
  if (env.CHECK_IN_SECRET) return Buffer.from(env.CHECK_IN_SECRET, 'utf8');
  return Buffer.from(hkdfSync('sha256', jwtSecret(env), '', 'lms check-in codes', 32));
}

let cached: Env | undefined;
/** The validated process environment (read once). */
export function loadEnv(): Env {
  cached ??= validateEnv(process.env);
  return cached;
}

/** The environment the API runs with: as `loadEnv`, and JWT_SECRET required. */
export function loadApiEnv(): Env {
  return validateEnv(process.env, { api: true });
}

/** The environment the worker runs with: as `loadEnv`, and the message settings checked for production. */
export function loadWorkerEnv(): Env {
  return validateEnv(process.env, { messaging: true });
}
