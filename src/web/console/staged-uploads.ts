import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { DomainError } from '../../common/errors/domain-error';
import { InjectRedis } from '../../common/redis/redis.module';

/** How long an uploaded file waits for its import to be confirmed. */
export const STAGED_UPLOAD_SECONDS = 2 * 60 * 60;

const UUID_BYTES = 36;

/**
 * Files an admin uploaded to check (the import's dry run) and may then import without uploading
 * them again: kept in Redis for STAGED_UPLOAD_SECONDS under a random id, with the id of the admin
 * who uploaded them (nobody else gets them). Nothing here needs rebuilding from PostgreSQL: a
 * lost or expired file only means uploading it again, which the page says. Taking a file for its
 * import removes it (GETDEL), so a form posted twice imports once.
 */
@Injectable()
export class StagedUploads {
  constructor(@InjectRedis() private readonly redis: Redis) {}

  /** Keeps `file` for `ownerId`; answers its id. */
  async put(ownerId: string, file: Buffer): Promise<string> {
    const id = randomUUID();
    await this.call(() =>
      this.redis.set(this.key(id), Buffer.concat([Buffer.from(ownerId, 'ascii'), file]), 'EX', STAGED_UPLOAD_SECONDS),
    );
    return id;
  }

  /** The file `ownerId` uploaded as `id`, while it is kept; undefined when gone or someone else's. */
  async get(ownerId: string, id: string): Promise<Buffer | undefined> {
    return this.owned(ownerId, await this.call(() => this.redis.getBuffer(this.key(id))));
  }

  /** As `get`, and removes it: a file is imported once. Someone else's file stays. */
  async take(ownerId: string, id: string): Promise<Buffer | undefined> {
    const file = await this.get(ownerId, id);
    if (!file) return undefined;
    const taken = await this.call(() => this.redis.getdelBuffer(this.key(id)));
    return this.owned(ownerId, taken);
  }

  private owned(ownerId: string, stored: Buffer | null): Buffer | undefined {
    if (!stored || stored.length < UUID_BYTES) return undefined;
    if (stored.subarray(0, UUID_BYTES).toString('ascii') !== ownerId) return undefined;
    return stored.subarray(UUID_BYTES);
  }

  private key(id: string): string {
    return `console:upload:${id}`;
  }

  /** Redis down: the page says to try again later (503), not a 500. */
  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch {
      throw new DomainError('SERVICE_UNAVAILABLE', 'unavailable');
    }
  }
}
