import { randomInt } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { isEmail } from 'class-validator';
import { In } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import { hasForbiddenCharacter, SINGLE_LINE } from '../common/validation/text';
import { DomainError } from '../common/errors/domain-error';
import { Env } from '../config/env';
import { type ImportStarted, ImportsService } from '../imports/imports.service';
import type { ImportRowProblem } from '../imports/imports.types';
import { OrgUnitsService } from '../org-units/org-units.service';
import { PHONE_PATTERN, USERNAME_PATTERN } from './dto/user.dto';
import type { ImportCredentialDto, ImportResultDto } from './dto/user-import.dto';

/** An import's outcome, its row problems not yet put into words. */
export type ImportResult = Omit<ImportResultDto, 'errors'> & { errors: ImportRowProblem[] };
import { hashPassword } from '../common/auth/passwords';
import { USER_IMPORT_COLUMNS, userImportTemplate } from './user-import.template';
import { educationFrom, ImportFileError, type ImportRow, parseUserImport, proficiencyFrom } from './user-import.parser';
import { User } from './user.entity';
import type { EducationLevel, Proficiency } from './user.types';

// The template's header row, for pages that describe it.
export { USER_IMPORT_COLUMNS };

/** A checked row, ready to write; stored as is (JSON) for a background import. */
interface Candidate {
  row: number;
  username: string;
  displayName: string;
  password?: string;
  phone: string | null;
  email: string | null;
  education: EducationLevel | null;
  proficiency: Proficiency | null;
  orgUnitId: string;
}

/** Passwords to set, by username: generated (`password`) or from the file (hash only). */
type Hashes = Map<string, { password?: string; hash: string }>;

/** What a background user import needs besides its rows: the scope its starter had. */
interface UsersImportParams {
  scopeUnitIds: string[];
}

/**
 * Passwords hashed at once by one import. argon2 runs on libuv's thread pool (4 threads by
 * default), which logins share: an import of thousands of rows must leave them room.
 */
const HASH_CONCURRENCY = 2;

/** Runs `work` for each item, at most `limit` at a time. */
async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Readable initial passwords for people on phones: no look-alike characters. */
function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return Array.from({ length: 10 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/**
 * Imports trainees from CSV (UTF-8 or GB18030) or XLSX. Every row is checked first;
 * good rows are then written in one transaction (created, or updated by username),
 * bad rows are reported by row number and field and nothing of them is written.
 * A file of more than IMPORT_ASYNC_ROWS rows is written by a background job instead
 * (the imports module), in batches of IMPORT_BATCH_ROWS rows, each its own transaction.
 */
@Injectable()
export class UsersImportService implements OnModuleInit {
  constructor(
    private readonly tx: TransactionService,
    private readonly orgUnits: OrgUnitsService,
    private readonly imports: ImportsService,
    private readonly env: Env,
  ) {}

  onModuleInit(): void {
    this.imports.registerHandler<Candidate, Hashes>('users', {
      prepare: (rows) => this.hashFor(rows),
      write: async (rows, hashes, params) => {
        const { scopeUnitIds } = params as unknown as UsersImportParams;
        const { created, updated, errors, credentials } = await this.write(scopeUnitIds, rows, [], hashes, false);
        return { created, updated, errors, credentials };
      },
    });
  }

  /**
   * Checks the file and imports its good rows: at once (a dry run, or at most IMPORT_ASYNC_ROWS
   * rows), or as a background import whose progress `GET /api/imports/:id` shows.
   */
  async import(actor: AuthUser, file: Buffer, dryRun: boolean): Promise<ImportResult | ImportStarted> {
    if (dryRun) return this.dryRun(actor, file);
    const { scopeUnitIds, candidates, errors } = await this.check(actor, file);
    const total = candidates.length + new Set(errors.map((e) => e.row)).size;
    if (total > this.env.IMPORT_ASYNC_ROWS) {
      // Passwords are generated and hashed by the job: only the checked rows are stored.
      const params: UsersImportParams = { scopeUnitIds };
      return this.imports.start('users', actor, { rows: candidates, params: { ...params } }, total, errors);
    }
    return this.write(scopeUnitIds, candidates, errors, await this.hashFor(candidates), false);
  }

  /**
   * The workbook to fill for an import: the header row in Chinese, and a sheet of how to fill it
   * with the townships and villages of the admin's part of the tree (`kindName`: a kind in words).
   */
  async template(actor: AuthUser, kindName: (kind: string) => string): Promise<Buffer> {
    const units = await this.orgUnits.listSubtree(actor.orgPath, ['township', 'village']);
    return userImportTemplate(units.map((u) => ({ name: u.name, code: u.code, kind: kindName(u.kind) })));
  }

  /** Checks every row, against the database too, and writes nothing: what `import()` would do with the file. */
  async dryRun(actor: AuthUser, file: Buffer): Promise<ImportResult> {
    const { scopeUnitIds, candidates, errors } = await this.check(actor, file);
    return this.write(scopeUnitIds, candidates, errors, new Map(), true);
  }

  /** Reads and checks every row: the rows to write, and the problems of the others. */
  private async check(
    actor: AuthUser,
    file: Buffer,
  ): Promise<{ scopeUnitIds: string[]; candidates: Candidate[]; errors: ImportRowProblem[] }> {
    let rows: ImportRow[];
    try {
      ({ rows } = await parseUserImport(file));
    } catch (e) {
      if (e instanceof ImportFileError) {
        throw new DomainError('IMPORT_INVALID_FILE', 'invalid', {
          key: `IMPORT_INVALID_FILE#${e.reason}`,
          args: e.args,
        });
      }
      throw e;
    }
    const errors: ImportRowProblem[] = [];
    const fail = (row: number, field: string, code: string, args: Record<string, string | number> = {}) =>
      errors.push({ row, field, code, args });

    const units = await this.orgUnits.listSubtree(actor.orgPath);
    const byCode = new Map(units.filter((u) => u.code).map((u) => [u.code!.toLowerCase(), u]));
    const byName = new Map<string, typeof units>();
    for (const u of units) byName.set(u.name, [...(byName.get(u.name) ?? []), u]);

    const candidates: Candidate[] = [];
    const seen = new Map<string, number>();
    for (const { row, fields } of rows) {
      const before = errors.length;
      // A phone number stands in for a missing username, written without spaces or dashes.
      const username = (fields.username ?? fields.phone?.replace(/[\s-]/g, '') ?? '').toLowerCase();
      if (!USERNAME_PATTERN.test(username)) {
        fail(row, 'username', 'INVALID');
      } else if (seen.has(username)) {
        fail(row, 'username', 'DUPLICATE_IN_FILE', { otherRow: seen.get(username)! });
      } else {
        seen.set(username, row);
      }
      const displayName = fields.displayName ?? '';
      if (!displayName || displayName.length > 50) {
        fail(row, 'displayName', 'INVALID');
      } else if (hasForbiddenCharacter(displayName) || !SINGLE_LINE.test(displayName)) {
        fail(row, 'displayName', 'INVALID_CHARACTER');
      }
      if (fields.password !== undefined && (fields.password.length < 8 || fields.password.length > 128)) {
        fail(row, 'password', 'INVALID');
      }
      const phone = fields.phone ?? null;
      if (phone !== null && !PHONE_PATTERN.test(phone)) fail(row, 'phone', 'INVALID');
      const email = fields.email ?? null;
      if (email !== null && !isEmail(email)) fail(row, 'email', 'INVALID');
      const education = fields.education ? (educationFrom(fields.education) ?? null) : null;
      if (fields.education && !education) fail(row, 'education', 'INVALID', { value: fields.education });
      const proficiency = fields.proficiency ? (proficiencyFrom(fields.proficiency) ?? null) : null;
      if (fields.proficiency && !proficiency) {
        fail(row, 'proficiency', 'INVALID', { value: fields.proficiency });
      }
      let orgUnitId: string | undefined;
      if (fields.orgUnitCode) {
        orgUnitId = byCode.get(fields.orgUnitCode.toLowerCase())?.id;
        if (!orgUnitId) fail(row, 'orgUnitCode', 'NOT_FOUND', { value: fields.orgUnitCode });
      } else if (fields.orgUnit) {
        const matches = byName.get(fields.orgUnit) ?? [];
        if (matches.length === 1) orgUnitId = matches[0].id;
        else if (matches.length === 0) fail(row, 'orgUnit', 'NOT_FOUND', { value: fields.orgUnit });
        else fail(row, 'orgUnit', 'AMBIGUOUS', { value: fields.orgUnit });
      } else {
        fail(row, 'orgUnit', 'REQUIRED');
      }
      if (errors.length === before && orgUnitId) {
        candidates.push({
          row,
          username,
          displayName,
          password: fields.password,
          phone,
          email,
          education,
          proficiency,
          orgUnitId,
        });
      }
    }

    return { scopeUnitIds: units.map((u) => u.id), candidates, errors };
  }

  /**
   * Hashes the passwords the rows will need, outside any transaction (argon2 is slow on purpose):
   * the file's, and a generated one for each row that creates a user.
   */
  private async hashFor(candidates: Candidate[]): Promise<Hashes> {
    const known = new Set(
      (
        await this.tx.manager.getRepository(User).find({
          select: { username: true },
          where: { username: In(candidates.map((c) => c.username)) },
        })
      ).map((u) => u.username),
    );
    const hashes: Hashes = new Map();
    await forEachLimited(
      candidates.filter((c) => c.password !== undefined || !known.has(c.username)),
      HASH_CONCURRENCY,
      async (c) => {
        const generated = c.password === undefined ? generatePassword() : undefined;
        hashes.set(c.username, { password: generated, hash: await hashPassword(c.password ?? generated!) });
      },
    );
    return hashes;
  }

  /** Writes (or, in a dry run, only checks against the database) the rows in one transaction, or joins the open one. */
  private async write(
    scopeUnitIds: string[],
    candidates: Candidate[],
    errors: ImportRowProblem[],
    hashes: Hashes,
    dryRun: boolean,
  ): Promise<ImportResult> {
    return this.tx.run(async (m) => {
      const repo = m.getRepository(User);
      const existing = candidates.length
        ? await repo.find({
            where: { username: In(candidates.map((c) => c.username)) },
            lock: { mode: 'pessimistic_write' },
          })
        : [];
      const existingByName = new Map(existing.map((u) => [u.username, u]));
      const inScope = new Set(scopeUnitIds);
      const credentials: ImportCredentialDto[] = [];
      let created = 0;
      let updated = 0;
      for (const c of candidates) {
        const user = existingByName.get(c.username);
        const secret = hashes.get(c.username);
        if (user && (user.role !== 'trainee' || !inScope.has(user.orgUnitId))) {
          errors.push({ row: c.row, field: 'username', code: 'USERNAME_TAKEN', args: {} });
          continue;
        }
        if (!dryRun && !user && !secret) {
          // Deleted between the first look and this transaction: nothing to hash with; ask for a re-run.
          errors.push({ row: c.row, field: 'row', code: 'CHANGED_DURING_IMPORT', args: {} });
          continue;
        }
        if (user) updated++;
        else created++;
        if (dryRun) continue;
        const target = user ?? repo.create({ username: c.username, role: 'trainee' });
        Object.assign(target, {
          displayName: c.displayName,
          orgUnitId: c.orgUnitId,
          phone: c.phone ?? target.phone ?? null,
          email: c.email ?? target.email ?? null,
          education: c.education ?? target.education ?? null,
          proficiency: c.proficiency ?? target.proficiency ?? null,
        });
        if (secret && (c.password !== undefined || !user)) {
          target.passwordHash = secret.hash;
          if (user) target.revokeAccess();
          if (!user && secret.password)
            credentials.push({ row: c.row, username: c.username, password: secret.password });
        }
        await repo.save(target);
      }
      errors.sort((a, b) => a.row - b.row);
      return { dryRun, created, updated, failed: new Set(errors.map((e) => e.row)).size, errors, credentials };
    });
  }
}
