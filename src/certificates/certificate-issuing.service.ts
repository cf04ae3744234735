import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import { JobProducer } from '../common/queue/job-producer';
import { JobReconciler } from '../common/queue/job-reconciler';
import { QUEUES } from '../common/queue/queues';
import { Clock } from '../common/time/clock';
import { ClassesService, type ScopedClass } from '../classes/classes.service';
import { Env, publicBaseUrl } from '../config/env';
import { CoursesService } from '../courses/courses.service';
import { NotificationsService } from '../notifications/notifications.service';
import { OrgUnitsService } from '../org-units/org-units.service';
import { CertificateEligibilityService, type TraineeEligibility } from './certificate-eligibility.service';
import { CertificateRun, type CertificateRunStatus } from './certificate-run.entity';
import { serialPrefix, serialRange } from './certificate-serial';
import type { CertificateSnapshot } from './certificate.entity';
import { CertificateErrors } from './certificates.errors';
import { CertificateJobs, type IssueCertificatesPayload, issueRunJobId } from './certificates.jobs';
import { newVerificationCode, verificationPath } from './verification-code';

/** Certificates written per transaction. */
const BATCH = 100;
/** New codes tried for a row refused by a code collision (2^-100 each: never, in practice). */
const CODE_TRIES = 5;

export interface RunStarted {
  jobId: string;
  status: CertificateRunStatus;
  total: number;
}

export interface RunView {
  id: string;
  classId: string;
  status: CertificateRunStatus;
  total: number;
  done: number;
  issued: number;
  skipped: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** What every certificate of one run shares. */
interface RunContext {
  run: CertificateRun;
  cls: ScopedClass;
  centre: { id: string; name: string };
  course: { title: string; hours: number };
  prefix: string;
  /** Eligibility as the job found it when it (re)started, by trainee. */
  byTrainee: Map<string, TraineeEligibility>;
}

interface Issued {
  id: string;
  trainee_id: string;
  serial: string;
  code: string;
}

/**
 * Issues a class's certificates as a background run with progress (the imports pattern):
 * `start()` fixes who is to get one and queues a job after commit; the job (`run()`) writes
 * them batch by batch, each batch and the run's cursor in one transaction. At most one live
 * certificate per class and trainee is the database's partial unique index: an insert that
 * meets it does nothing and counts as skipped, so issuing twice, two admins at once or a
 * retried job never makes two.
 */
@Injectable()
export class CertificateIssuingService implements OnModuleInit {
  private readonly logger = new Logger(CertificateIssuingService.name);

  constructor(
    private readonly tx: TransactionService,
    private readonly classes: ClassesService,
    private readonly courses: CoursesService,
    private readonly orgUnits: OrgUnitsService,
    private readonly eligibility: CertificateEligibilityService,
    private readonly notifications: NotificationsService,
    private readonly producer: JobProducer,
    private readonly reconciler: JobReconciler,
    @InjectQueue(QUEUES.certificates) private readonly queue: Queue,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  onModuleInit(): void {
    this.reconciler.register('certificates', () => this.reconcile());
  }

  /** An admin in scope issues to every eligible trainee of a completed class without a live certificate. */
  async start(actor: AuthUser, classId: string): Promise<RunStarted> {
    const c = await this.classes.getManaged(actor, classId);
    if (c.entity.status !== 'completed') throw CertificateErrors.classNotCompleted(c.entity.status);
    const { items } = await this.eligibility.forClass(c);
    const traineeIds = items.filter((i) => i.eligible).map((i) => i.traineeId);
    return this.tx.run(async (m) => {
      const repo = m.getRepository(CertificateRun);
      const empty = traineeIds.length === 0;
      const saved = await repo.save(
        repo.create({
          classId,
          startedBy: actor.id,
          traineeIds,
          total: traineeIds.length,
          // Nobody to issue to: finished at once, no job.
          status: empty ? 'done' : 'queued',
          finishedAt: empty ? this.clock.now() : null,
        }),
      );
      if (!empty) this.tx.afterCommit(() => this.enqueue([saved.id]));
      return { jobId: saved.id, status: saved.status, total: saved.total };
    });
  }

  /** A run, for admins in scope of its class; 404 for anyone else. */
  async progress(actor: AuthUser, runId: string): Promise<RunView> {
    const run = await this.tx.manager.getRepository(CertificateRun).findOneBy({ id: runId });
    if (!run) throw CertificateErrors.runNotFound();
    await this.classes.getManaged(actor, run.classId).catch(() => {
      throw CertificateErrors.runNotFound();
    });
    const { id, classId, status, total, done, issued, skipped, createdAt, startedAt, finishedAt } = run;
    return { id, classId, status, total, done, issued, skipped, createdAt, startedAt, finishedAt };
  }

  /**
   * The job: issues from the stored cursor on, a batch per transaction. The cursor is re-read
   * under the run's row lock before each batch, so two runners of one run take turns.
   * `lastAttempt`: an error marks the run `failed` instead of leaving it to a retry.
   */
  async run(runId: string, lastAttempt: boolean): Promise<CertificateRunStatus | 'missing'> {
    const run = await this.tx.manager.getRepository(CertificateRun).findOneBy({ id: runId });
    if (!run) return 'missing';
    if (run.status === 'done' || run.status === 'failed') return run.status;
    try {
      await this.tx.manager.query(
        `UPDATE certificate_runs SET status = 'running', started_at = coalesce(started_at, now()), updated_at = now()
          WHERE id = $1 AND status = 'queued'`,
        [runId],
      );
      const ctx = await this.context(run);
      for (let cursor = run.nextIndex; cursor < run.traineeIds.length;) {
        const batch = run.traineeIds.slice(cursor, cursor + BATCH);
        const from = cursor;
        cursor = await this.tx.run(async (m) => {
          const [current] = await m.query<{ next_index: number; status: CertificateRunStatus }[]>(
            `SELECT next_index, status FROM certificate_runs WHERE id = $1 FOR UPDATE`,
            [runId],
          );
          if (!current || current.status === 'done' || current.status === 'failed') return run.traineeIds.length;
          if (current.next_index !== from) return current.next_index;
          const issued = await this.issueBatch(m, ctx, batch);
          await m.query(
            `UPDATE certificate_runs
                SET next_index = $2, done = done + $3, issued = issued + $4, skipped = skipped + $5, updated_at = now()
              WHERE id = $1`,
            [runId, from + batch.length, batch.length, issued, batch.length - issued],
          );
          return from + batch.length;
        });
      }
      await this.tx.manager.query(
        `UPDATE certificate_runs SET status = 'done', finished_at = now(), updated_at = now()
          WHERE id = $1 AND status IN ('queued', 'running')`,
        [runId],
      );
      return 'done';
    } catch (e) {
      if (lastAttempt) await this.fail(runId, e);
      throw e;
    }
  }

  /** Re-queues every unfinished run whose job Redis lost (or ended without finishing it). */
  async reconcile(): Promise<number> {
    const unfinished = await this.tx.manager.query<{ id: string }[]>(
      `SELECT id FROM certificate_runs WHERE status IN ('queued', 'running') ORDER BY created_at`,
    );
    const missing: string[] = [];
    for (const { id } of unfinished) {
      const state = await this.queue.getJobState(issueRunJobId(id));
      // A finished twin would swallow the new job (same id): clear it first.
      if (state === 'completed' || state === 'failed') await this.producer.remove(this.queue, [issueRunJobId(id)]);
      if (state === 'unknown' || state === 'completed' || state === 'failed') missing.push(id);
    }
    if (missing.length && !(await this.enqueue(missing))) return 0;
    return missing.length;
  }

  private async context(run: CertificateRun): Promise<RunContext> {
    const cls = await this.classes.find(run.classId);
    if (!cls) throw new Error(`Class ${run.classId} of certificate run ${run.id} is gone`);
    const [centre, course, { items }] = await Promise.all([
      this.orgUnits.centreOf(cls.planPath),
      this.courses.getUsableFor(cls.planPath, cls.entity.courseId),
      this.eligibility.forClass(cls),
    ]);
    if (!centre) throw new Error(`No centre above ${cls.planPath}`);
    // The plan's year: a class's dates lie in its plan's year (ClassesService checks it).
    const prefix = serialPrefix(Number(cls.entity.startDate.slice(0, 4)), cls.entity.quarter);
    return {
      run,
      cls,
      centre,
      course: { title: course.title, hours: Number(course.hours) },
      prefix,
      byTrainee: new Map(items.map((i) => [i.traineeId, i])),
    };
  }

  /**
   * Issues to the batch's trainees still eligible; answers how many certificates it made. The
   * serials come from one counter update for the whole batch (gaps when some are skipped);
   * the insert does nothing for a trainee who got a live certificate meanwhile.
   */
  private async issueBatch(m: EntityManager, ctx: RunContext, traineeIds: string[]): Promise<number> {
    const todo = [...new Set(traineeIds)].map((id) => ctx.byTrainee.get(id)).filter((e) => e?.eligible);
    if (todo.length === 0) return 0;
    const [{ last }] = await m.query<{ last: number }[]>(
      `INSERT INTO certificate_serials (centre_id, prefix, last) VALUES ($1, $2, $3)
       ON CONFLICT (centre_id, prefix) DO UPDATE SET last = certificate_serials.last + EXCLUDED.last
       RETURNING last`,
      [ctx.centre.id, ctx.prefix, todo.length],
    );
    const serials = serialRange(ctx.prefix, last, todo.length);
    let rows = todo.map((e, i) => ({ trainee_id: e!.traineeId, serial: serials[i], snapshot: this.snapshot(ctx, e!) }));
    const issuedAt = this.clock.now();
    const issued: Issued[] = [];
    for (let attempt = 0; rows.length > 0; attempt++) {
      if (attempt === CODE_TRIES) throw new Error('Could not find free verification codes');
      const inserted = await m.query<Issued[]>(
        `INSERT INTO certificates (class_id, trainee_id, centre_id, serial, code, snapshot, issued_at, issued_by)
         SELECT $1, x.trainee_id, $2, x.serial, x.code, x.snapshot, $3, $4
           FROM jsonb_to_recordset($5::jsonb) AS x(trainee_id uuid, serial text, code text, snapshot jsonb)
         ON CONFLICT DO NOTHING
         RETURNING id, trainee_id, serial, code`,
        [
          ctx.cls.entity.id,
          ctx.centre.id,
          issuedAt,
          ctx.run.startedBy,
          JSON.stringify(rows.map((r) => ({ ...r, code: newVerificationCode() }))),
        ],
      );
      issued.push(...inserted);
      // Not inserted: a live certificate exists (skip) or, never in practice, the code was taken (retry).
      const left = rows.filter((r) => !inserted.some((i) => i.trainee_id === r.trainee_id));
      if (left.length === 0) break;
      const [{ held }] = await m.query<{ held: string[] }[]>(
        `SELECT coalesce(array_agg(trainee_id), '{}') AS held FROM certificates
          WHERE class_id = $1 AND trainee_id = ANY($2::uuid[]) AND revoked_at IS NULL`,
        [ctx.cls.entity.id, left.map((r) => r.trainee_id)],
      );
      rows = left.filter((r) => !held.includes(r.trainee_id));
    }
    if (issued.length === 0) return 0;
    await m.query(
      `INSERT INTO certificate_events (certificate_id, kind, actor_id, at)
       SELECT unnest($1::uuid[]), 'issued', $2, $3`,
      [issued.map((i) => i.id), ctx.run.startedBy, issuedAt],
    );
    for (const i of issued) {
      await this.notifications.notify(
        [i.trainee_id],
        {
          template: 'certificate-issued',
          payload: {
            centre: ctx.centre.name,
            classTitle: ctx.cls.entity.title,
            course: ctx.course.title,
            serial: i.serial,
            verifyUrl: publicBaseUrl(this.env) + verificationPath(i.code),
          },
          key: `certificate-issued:${i.id}`,
          aboutId: i.id,
        },
        m,
      );
    }
    return issued.length;
  }

  private snapshot(ctx: RunContext, e: TraineeEligibility): CertificateSnapshot {
    const c = ctx.cls.entity;
    return {
      name: e.displayName,
      township: e.townshipName,
      course: ctx.course.title,
      classTitle: c.title,
      startDate: c.startDate,
      endDate: c.endDate,
      hours: ctx.course.hours,
      sessionsAttended: e.sessionsAttended,
      sessionsHeld: e.sessionsHeld,
      attendanceRate: e.attendanceRate ?? 0,
      score: e.quizPercent,
      centre: ctx.centre.name,
    };
  }

  private enqueue(runIds: string[]): Promise<boolean> {
    return this.producer.add(
      this.queue,
      runIds.map((runId) => ({
        name: CertificateJobs.issue,
        data: { runId } satisfies IssueCertificatesPayload,
        opts: { jobId: issueRunJobId(runId) },
      })),
    );
  }

  private async fail(runId: string, e: unknown): Promise<void> {
    this.logger.error({ err: e, msg: `Certificate run ${runId} failed for good` });
    try {
      await this.tx.manager.query(
        `UPDATE certificate_runs SET status = 'failed', error = $2, finished_at = now(), updated_at = now()
          WHERE id = $1 AND status IN ('queued', 'running')`,
        [runId, (e instanceof Error ? e.message : String(e)).slice(0, 2000)],
      );
    } catch (err) {
      this.logger.warn({
        err,
        msg: `Could not mark certificate run ${runId} failed; the reconciler will run it again`,
      });
    }
  }
}
