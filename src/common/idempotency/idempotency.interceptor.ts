import { createHash } from 'node:crypto';
import { type CallHandler, type ExecutionContext, HttpStatus, Injectable, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { EntityManager } from 'typeorm';
import { Env } from '../../config/env';
import type { AuthUser } from '../auth/auth-user';
import { TransactionService } from '../database/transaction.service';
import { DomainError } from '../errors/domain-error';
import { jsonWithLocalInstants } from '../time/zoned-time';
import { IdempotencyKey } from './idempotency-key.entity';

export const IdempotencyErrors = {
  invalidKey: () => new DomainError('INVALID_IDEMPOTENCY_KEY', 'invalid'),
  keyReused: () => new DomainError('IDEMPOTENCY_KEY_REUSED', 'unprocessable'),
};

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_HOURS = 24;
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** A canonical JSON form (sorted keys; buffers as their hash), so equal bodies hash equal. */
export function canonical(value: unknown): string {
  if (Buffer.isBuffer(value)) return JSON.stringify(`sha256:${createHash('sha256').update(value).digest('hex')}`);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Metadata key of the options given to `@Idempotent(...)`. */
export const IDEMPOTENCY_OPTIONS = 'idempotency:options';

export interface IdempotentOptions {
  /**
   * Top-level answer fields never stored for a replay, because they hold secrets (e.g.
   * generated passwords): stored empty, with `<field>Redacted: true` beside them.
   */
  redact?: string[];
}

/** The answer as stored for a replay: the route's secret fields emptied and flagged. */
function redacted(body: unknown, fields: string[] = []): unknown {
  if (fields.length === 0 || !body || typeof body !== 'object' || Array.isArray(body)) return body;
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const field of fields) {
    if (!(field in copy)) continue;
    copy[field] = Array.isArray(copy[field]) ? [] : null;
    copy[`${field}Redacted`] = true;
  }
  return copy;
}

/** A claimed key turned out to hold a finished answer: replay it instead of the handler's. */
class Replay extends Error {
  constructor(readonly stored: IdempotencyKey) {
    super('replay');
  }
}

/**
 * Honours `Idempotency-Key` on every POST: the first answer is stored in PostgreSQL in
 * the same transaction as the change it guards, so a retry replays it and never doubles
 * anything. The same key with another body is 422. Errors are not stored: the change
 * rolled back, so a retry runs again. Fields a route names in `@Idempotent({ redact })`
 * are not stored. Keys past their 24 hours are deleted as new ones are claimed.
 *
 * The transaction is deferred: it opens at the service's first `tx.run` (slow work before
 * it, such as hashing passwords, holds no connection), claims the key first thing, and is
 * committed here once the answer is stored; events the service queued with `afterCommit`
 * run only then. A concurrent request with the same key waits on the claimed row until the
 * first commits, then replays its answer.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly stringify: (value: unknown) => string;

  constructor(
    private readonly tx: TransactionService,
    private readonly reflector: Reflector,
    env: Env,
  ) {
    this.stringify = jsonWithLocalInstants(env.TZ_DEFAULT);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: AuthUser }>();
    const raw = request.headers[IDEMPOTENCY_HEADER];
    // Public POSTs (login) are not replayed: an access token is never stored.
    if (request.method !== 'POST' || raw === undefined || !request.user) return next.handle();
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!KEY_PATTERN.test(key)) throw IdempotencyErrors.invalidKey();
    const reply = http.getResponse<FastifyReply>();
    const scope = request.user.id;
    const path = request.url.split('?')[0];
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${canonical(request.body)}`)
      .digest('hex');
    const statusCode =
      (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ?? HttpStatus.CREATED;
    const options = this.reflector.get<IdempotentOptions | undefined>(IDEMPOTENCY_OPTIONS, context.getHandler());

    const replay = (stored: IdempotencyKey): unknown => {
      if (stored.requestHash !== requestHash) throw IdempotencyErrors.keyReused();
      void reply.status(stored.statusCode).header('idempotent-replayed', 'true');
      return stored.responseBody;
    };

    const claim = async (m: EntityManager): Promise<void> => {
      // Expired keys are forgotten; then claim the key. A concurrent holder makes this INSERT wait.
      await m.query(
        `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND created_at < now() - make_interval(hours => $3)`,
        [scope, key, IDEMPOTENCY_TTL_HOURS],
      );
      // Other callers' expired keys too, a few at a time, so the table does not grow without bound.
      // SKIP LOCKED: two requests sweeping at once neither wait for nor deadlock with each other.
      await m.query(
        `DELETE FROM idempotency_keys WHERE (scope, key) IN (
           SELECT scope, key FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)
            LIMIT 100 FOR UPDATE SKIP LOCKED)`,
        [IDEMPOTENCY_TTL_HOURS],
      );
      const claimed = await m.query<unknown[]>(
        `INSERT INTO idempotency_keys (scope, key, method, path, request_hash, status_code)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
        [scope, key, request.method, path, requestHash, statusCode],
      );
      if (claimed.length === 0) throw new Replay(await m.getRepository(IdempotencyKey).findOneByOrFail({ scope, key }));
    };

    const handle = async (): Promise<unknown> => {
      // A finished answer is replayed without running the handler (or opening a transaction).
      const stored = await this.tx.manager.getRepository(IdempotencyKey).findOneBy({ scope, key });
      if (stored && stored.createdAt.getTime() > Date.now() - IDEMPOTENCY_TTL_HOURS * 3_600_000) return replay(stored);
      const transaction = this.tx.deferred(claim);
      try {
        const body: unknown = await transaction.run(() => lastValueFrom(next.handle(), { defaultValue: undefined }));
        await transaction.finish(async (m) => {
          // Stored as it will be sent (instants in the centre's offset), so a replay is the same answer.
          // The status the handler ended with: a route may answer otherwise than its default (202 for a background import).
          await m.query(
            `UPDATE idempotency_keys SET response_body = $3::jsonb, status_code = $4 WHERE scope = $1 AND key = $2`,
            [scope, key, this.stringify(redacted(body, options?.redact) ?? null), reply.statusCode],
          );
        });
        return body;
      } catch (e) {
        await transaction.abort();
        if (e instanceof Replay) return replay(e.stored);
        throw e;
      }
    };
    return from(handle());
  }
}
