import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import QRCode from 'qrcode';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import { isWithin } from '../org-units/org-units.service';
import type { ClassSession } from '../classes/class-session.entity';
import type { ScopedClass } from '../classes/classes.service';
import { ClassesService } from '../classes/classes.service';
import { SessionsService } from '../classes/sessions.service';
import { checkInKey, Env } from '../config/env';
import { EnrolmentsService, type SeatedEnrolment } from '../enrolments/enrolments.service';
import { AttendanceErrors } from './attendance.errors';
import type { AttendanceSource, AttendanceStatus } from './attendance.types';
import { CheckInThrottleService } from './check-in-throttle.service';
import { CheckInWindow } from './check-in-window.entity';
import { codeAt, stepEndsAt, stepOf, verifyCode } from './check-in-codes';
import type {
  AttendanceChangeDto,
  AttendanceEntryDto,
  CheckInCodeDto,
  MarkRecordDto,
  SessionAttendanceDto,
} from './dto/attendance.dto';

/** Attendance may be taken from this long before a session starts. */
const OPENS_BEFORE_MS = 30 * 60 * 1000;
/** Classes whose sessions take attendance. */
const ACTIVE_CLASS = ['open', 'running', 'completed'];

interface RecordRow {
  id: string;
  enrolment_id: string;
  status: AttendanceStatus;
  note: string | null;
  source: AttendanceSource;
  recorded_by: string;
  recorded_at: Date;
  version: number;
}

interface Write {
  enrolmentId: string;
  status: AttendanceStatus;
  note: string | null;
}

/**
 * Attendance of sessions: the trainer's marks, trainees' self check-ins and the audit
 * trail of both. Every write locks the session row first (SessionsService.getWithClass),
 * so writes to one session run one after another: each change is recorded against the
 * state it really replaced, and nothing a racing writer did is lost.
 */
@Injectable()
export class AttendanceService {
  private readonly key: Buffer;

  constructor(
    private readonly tx: TransactionService,
    private readonly sessions: SessionsService,
    private readonly classes: ClassesService,
    private readonly enrolments: EnrolmentsService,
    private readonly throttle: CheckInThrottleService,
    private readonly env: Env,
  ) {
    this.key = checkInKey(env);
  }

  /** Marks a batch of a session's enrolments in one transaction; unchanged records are left alone. */
  async mark(actor: AuthUser, sessionId: string, records: MarkRecordDto[]): Promise<SessionAttendanceDto> {
    await this.tx.run(async (m) => {
      const { s, c } = await this.sessions.getWithClass(sessionId, m, true);
      this.assertMayTake(actor, s, c);
      this.assertTakesAttendance(s, c, new Date());
      const seated = new Set((await this.enrolments.seated(c.entity.id, m)).map((e) => e.id));
      const invalid = records.filter((r) => !seated.has(r.enrolmentId)).map((r) => r.enrolmentId);
      if (invalid.length) throw AttendanceErrors.enrolmentsInvalid(invalid);
      await this.write(
        m,
        s.id,
        records.map((r) => ({ enrolmentId: r.enrolmentId, status: r.status, note: r.note ?? null })),
        'trainer',
        actor.id,
      );
    });
    return this.view(actor, sessionId, false);
  }

  /** The session's attendance: a row per seated trainee (marked or not), and the trail if asked. */
  async view(actor: AuthUser, sessionId: string, history: boolean): Promise<SessionAttendanceDto> {
    const m = this.tx.manager;
    const { s, c } = await this.sessions.getWithClass(sessionId, m);
    this.assertMayRead(actor, c);
    // One after the other: inside a caller's transaction both would share one connection.
    const seated = await this.enrolments.seated(c.entity.id, m);
    const records = await this.recordsOf(m, s.id);
    const byEnrolment = new Map(records.map((r) => [r.enrolment_id, r]));
    const others = await this.recordOwners(
      m,
      records.filter((r) => !seated.some((e) => e.id === r.enrolment_id)).map((r) => r.enrolment_id),
    );
    const entries: AttendanceEntryDto[] = [...seated, ...others].map((e) => {
      const r = byEnrolment.get(e.id);
      return {
        enrolmentId: e.id,
        traineeId: e.traineeId,
        displayName: e.displayName,
        townshipId: e.townshipId,
        townshipName: e.townshipName,
        status: r?.status ?? null,
        note: r?.note ?? null,
        source: r?.source ?? null,
        recordedBy: r?.recorded_by ?? null,
        recordedAt: r?.recorded_at ?? null,
        version: r?.version ?? 0,
      };
    });
    const count = (st: AttendanceStatus) => entries.filter((e) => e.status === st).length;
    const counts = {
      present: count('present'),
      late: count('late'),
      excused: count('excused'),
      absent: count('absent'),
      unmarked: entries.filter((e) => e.status === null).length,
    };
    return {
      sessionId: s.id,
      classId: c.entity.id,
      startsAt: s.startsAt,
      endsAt: s.endsAt,
      personTimes: counts.present + counts.late,
      counts,
      records: entries,
      ...(history && { history: await this.historyOf(m, s.id) }),
    };
  }

  /**
   * Opens the session's self check-in window (or, if one is open and no length is asked,
   * keeps it) and answers the code of the moment. The trainer's screen calls this again
   * to show each new code.
   */
  async openCheckIn(actor: AuthUser, sessionId: string, windowMinutes: number | undefined): Promise<CheckInCodeDto> {
    const now = new Date();
    const window = await this.tx.run(async (m) => {
      const { s, c } = await this.sessions.getWithClass(sessionId, m, true);
      this.assertMayTake(actor, s, c);
      this.assertTakesAttendance(s, c, now);
      if (now >= s.endsAt) throw AttendanceErrors.sessionEnded();
      const repo = m.getRepository(CheckInWindow);
      const open = await repo.findOneBy({ sessionId });
      if (open && open.closesAt > now && windowMinutes === undefined) return { w: open, s };
      const minutes = windowMinutes ?? this.env.CHECK_IN_WINDOW_MINUTES;
      const w = repo.create({
        sessionId,
        openedBy: actor.id,
        openedAt: now,
        closesAt: new Date(now.getTime() + minutes * 60_000),
      });
      return { w: await repo.save(w), s };
    });
    const step = stepOf(now);
    const code = codeAt(this.key, window.w, step);
    const qrPayload = JSON.stringify({ kind: 'lms.check-in', v: 1, sessionId, code });
    return {
      sessionId,
      code,
      qrPayload,
      qrSvg: await QRCode.toString(qrPayload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
      rotatesAt: stepEndsAt(step),
      windowOpenedAt: window.w.openedAt,
      windowClosesAt: window.w.closesAt,
      lateAfter: this.lateAfter(window.s),
    };
  }

  /** Closes the window early; codes stop working at once. */
  async closeCheckIn(actor: AuthUser, sessionId: string): Promise<void> {
    await this.tx.run(async (m) => {
      const { s, c } = await this.sessions.getWithClass(sessionId, m, true);
      this.assertMayTake(actor, s, c);
      await m.getRepository(CheckInWindow).delete({ sessionId });
    });
  }

  /**
   * A trainee checks itself in with the code of the moment: `present`, or `late` after the
   * grace period. Checking in again changes nothing; a trainer's mark is never overwritten.
   */
  async checkIn(actor: AuthUser, sessionId: string, code: string): Promise<AttendanceEntryDto> {
    const { s, c } = await this.sessions.getWithClass(sessionId);
    if (!this.classes.canRead(actor, c)) throw AttendanceErrors.sessionNotFound();
    const seat = await this.enrolments.seatOf(c.entity.id, actor.id);
    if (!seat) throw AttendanceErrors.notEnrolled();
    if (s.status === 'cancelled') throw AttendanceErrors.sessionCancelled();
    const w = await this.tx.manager.getRepository(CheckInWindow).findOneBy({ sessionId });
    if (!w || w.closesAt <= new Date()) throw AttendanceErrors.checkInClosed();

    const attemptsLeft = await this.throttle.reserve(sessionId, actor.id);
    const at = new Date();
    if (!verifyCode(this.key, w, code, at) || at >= w.closesAt) throw AttendanceErrors.codeInvalid(attemptsLeft);
    await this.throttle.refund(sessionId, actor.id);

    await this.tx.run(async (m) => {
      const locked = await this.sessions.getWithClass(sessionId, m, true);
      this.assertTakesAttendance(locked.s, locked.c, at);
      const [existing] = await this.recordsOf(m, sessionId, [seat.id]);
      if (existing?.source === 'trainer') throw AttendanceErrors.markedByTrainer(existing.status);
      if (existing) return; // already checked in: the first check-in stands
      const status = at > this.lateAfter(locked.s) ? 'late' : 'present';
      await this.write(m, sessionId, [{ enrolmentId: seat.id, status, note: null }], 'self', actor.id);
    });
    return this.entryOf(sessionId, seat.id);
  }

  private lateAfter(s: ClassSession): Date {
    return new Date(s.startsAt.getTime() + this.env.CHECK_IN_LATE_AFTER_MINUTES * 60_000);
  }

  /** Admins of the class's county, and the session's trainer (any trainer of the class if the session names none). */
  private assertMayTake(actor: AuthUser, s: ClassSession, c: ScopedClass): void {
    this.assertMayRead(actor, c);
    if (actor.role === 'trainer' && s.trainerId !== null && s.trainerId !== actor.id) {
      throw AttendanceErrors.notSessionTrainer();
    }
  }

  /** Admins of the class's county and the class's trainers; anyone else is told the session does not exist. */
  private assertMayRead(actor: AuthUser, c: ScopedClass): void {
    const ok =
      (actor.role === 'admin' && isWithin(c.planPath, actor.orgPath)) ||
      (actor.role === 'trainer' && c.trainerIds.includes(actor.id));
    if (!ok) throw AttendanceErrors.sessionNotFound();
  }

  private assertTakesAttendance(s: ClassSession, c: ScopedClass, now: Date): void {
    if (s.status === 'cancelled') throw AttendanceErrors.sessionCancelled();
    if (!ACTIVE_CLASS.includes(c.entity.status)) throw AttendanceErrors.classNotActive(c.entity.status);
    const opensAt = new Date(s.startsAt.getTime() - OPENS_BEFORE_MS);
    if (now < opensAt) throw AttendanceErrors.tooEarly(opensAt);
  }

  /**
   * Upserts records and appends one audit row per real change, in one statement. The
   * caller holds the session lock, so `old` is exactly the state each change replaces.
   */
  private async write(
    m: EntityManager,
    sessionId: string,
    writes: Write[],
    source: AttendanceSource,
    by: string,
  ): Promise<void> {
    await m.query(
      `WITH input AS (
         SELECT * FROM unnest($2::uuid[], $3::attendance_status[], $4::text[]) AS i(enrolment_id, status, note)
       ),
       old AS (
         SELECT r.enrolment_id, r.status, r.note FROM attendance_records r
          WHERE r.session_id = $1 AND r.enrolment_id = ANY($2::uuid[])
       ),
       upserted AS (
         INSERT INTO attendance_records AS r (session_id, enrolment_id, status, note, source, recorded_by, recorded_at)
         SELECT $1, i.enrolment_id, i.status, i.note, $5, $6, now() FROM input i
         ON CONFLICT (session_id, enrolment_id) DO UPDATE
            SET status = excluded.status, note = excluded.note, source = excluded.source,
                recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at, version = r.version + 1
          WHERE (r.status, r.note, r.source) IS DISTINCT FROM (excluded.status, excluded.note, excluded.source)
         RETURNING r.id, r.enrolment_id, r.status, r.note
       )
       INSERT INTO attendance_changes
              (record_id, session_id, enrolment_id, old_status, new_status, old_note, new_note, source, changed_by)
       SELECT u.id, $1, u.enrolment_id, o.status, u.status, o.note, u.note, $5, $6
         FROM upserted u LEFT JOIN old o ON o.enrolment_id = u.enrolment_id`,
      [sessionId, writes.map((w) => w.enrolmentId), writes.map((w) => w.status), writes.map((w) => w.note), source, by],
    );
  }

  private recordsOf(m: EntityManager, sessionId: string, enrolmentIds?: string[]): Promise<RecordRow[]> {
    return m.query<RecordRow[]>(
      `SELECT id, enrolment_id, status, note, source, recorded_by, recorded_at, version
         FROM attendance_records WHERE session_id = $1 AND ($2::uuid[] IS NULL OR enrolment_id = ANY($2::uuid[]))`,
      [sessionId, enrolmentIds ?? null],
    );
  }

  /** Trainee and township of enrolments that no longer hold a seat but have records (withdrawn later). */
  private async recordOwners(m: EntityManager, enrolmentIds: string[]): Promise<SeatedEnrolment[]> {
    if (enrolmentIds.length === 0) return [];
    return m.query<SeatedEnrolment[]>(
      `SELECT e.id, e.trainee_id AS "traineeId", u.display_name AS "displayName", u.username, u.phone,
              e.township_id AS "townshipId", t.name AS "townshipName", e.status::text AS status
         FROM enrolments e JOIN users u ON u.id = e.trainee_id JOIN org_units t ON t.id = e.township_id
        WHERE e.id = ANY($1::uuid[])
        ORDER BY t.name, u.display_name`,
      [enrolmentIds],
    );
  }

  private historyOf(m: EntityManager, sessionId: string): Promise<AttendanceChangeDto[]> {
    return m.query<AttendanceChangeDto[]>(
      `SELECT a.id::text AS id, a.enrolment_id AS "enrolmentId", a.old_status AS "oldStatus",
              a.new_status AS "newStatus", a.old_note AS "oldNote", a.new_note AS "newNote", a.source,
              a.changed_by AS "changedBy", u.display_name AS "changedByName", a.changed_at AS "changedAt"
         FROM attendance_changes a JOIN users u ON u.id = a.changed_by
        WHERE a.session_id = $1
        ORDER BY a.id`,
      [sessionId],
    );
  }

  private async entryOf(sessionId: string, enrolmentId: string): Promise<AttendanceEntryDto> {
    const m = this.tx.manager;
    const [r] = await this.recordsOf(m, sessionId, [enrolmentId]);
    const [e] = await this.recordOwners(m, [enrolmentId]);
    return {
      enrolmentId,
      traineeId: e.traineeId,
      displayName: e.displayName,
      townshipId: e.townshipId,
      townshipName: e.townshipName,
      status: r.status,
      note: r.note,
      source: r.source,
      recordedBy: r.recorded_by,
      recordedAt: r.recorded_at,
      version: r.version,
    };
  }
}
