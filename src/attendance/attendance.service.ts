import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import QRCode from 'qrcode';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import { isWithin } from '../org-units/org-units.service';
import type { ClassSession } from '../classes/classes.types';
import type { ScopedClass } from '../classes/classes.service';
import { ClassesService } from '../classes/classes.service';
import { SessionsService } from '../classes/sessions.service';
import { Clock } from '../common/time/clock';
import { checkInKey, Env, publicBaseUrl } from '../config/env';
import { EnrolmentsService } from '../enrolments/enrolments.service';
import { AttendanceErrors } from './attendance.errors';
import { ATTENDANCE_OPENS_BEFORE_MINUTES, type AttendanceSource, type AttendanceStatus } from './attendance.types';
import { CheckInThrottleService } from './check-in-throttle.service';
import { WRITE_ATTENDANCE_SQL } from './attendance.sql';
import { CheckInWindow } from './check-in-window.entity';
import { codeAt, LINK_CODE_STEPS, stepEndsAt, stepOf, TYPED_CODE_STEPS, verifyCode } from './check-in-codes';
import { checkInLinkPath } from './check-in-link';
import type {
  AttendanceChangeDto,
  AttendanceEntryDto,
  CheckInCodeDto,
  MarkRecordDto,
  SessionAttendanceDto,
} from './dto/attendance.dto';

/** Class states whose sessions take attendance (completed too, so a class can be corrected after it ends). */
const ATTENDANCE_CLASS_STATUSES = ['open', 'running', 'completed'];

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
  private checkInKeyCache: Buffer | undefined;

  constructor(
    private readonly tx: TransactionService,
    private readonly sessions: SessionsService,
    private readonly classes: ClassesService,
    private readonly enrolments: EnrolmentsService,
    private readonly throttle: CheckInThrottleService,
    private readonly env: Env,
    private readonly clock: Clock,
  ) {}

  /**
   * The check-in codes' key, worked out when first needed: the worker loads this service (through
   * modules that read attendance) but never checks anyone in, and needs no JWT_SECRET.
   */
  private get key(): Buffer {
    return (this.checkInKeyCache ??= checkInKey(this.env));
  }

  /** Marks a batch of a session's enrolments in one transaction; unchanged records are left alone. */
  async mark(actor: AuthUser, sessionId: string, records: MarkRecordDto[]): Promise<SessionAttendanceDto> {
    await this.tx.run(async (m) => {
      const { s, c } = await this.sessions.getWithClass(sessionId, m, true);
      this.assertMayTake(actor, s, c);
      this.assertTakesAttendance(s, c, this.clock.now());
      const seated = new Set((await this.enrolments.seated(c.entity.id, m, true)).map((e) => e.id));
      const invalid = records.filter((r) => !seated.has(r.enrolmentId)).map((r) => r.enrolmentId);
      if (invalid.length) throw AttendanceErrors.enrolmentsInvalid(invalid);
      await this.assertCurrent(m, s.id, records);
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

  /**
   * Marks every seated trainee without a record `present`, in one transaction under the session's
   * lock: a name marked or checked in before (or racing, and so waiting on the lock) keeps its
   * record. The same rules as `mark`. Answers how many were marked, and the attendance after.
   */
  async markAllPresent(
    actor: AuthUser,
    sessionId: string,
  ): Promise<{ marked: number; attendance: SessionAttendanceDto }> {
    const marked = await this.tx.run(async (m) => {
      const { s, c } = await this.sessions.getWithClass(sessionId, m, true);
      this.assertMayTake(actor, s, c);
      this.assertTakesAttendance(s, c, this.clock.now());
      const seated = await this.enrolments.seated(c.entity.id, m, true);
      const recorded = new Set((await this.recordsOf(m, s.id)).map((r) => r.enrolment_id));
      const writes = seated
        .filter((e) => !recorded.has(e.id))
        .map((e) => ({ enrolmentId: e.id, status: 'present' as const, note: null }));
      if (writes.length) await this.write(m, s.id, writes, 'trainer', actor.id);
      return writes.length;
    });
    return { marked, attendance: await this.view(actor, sessionId, false) };
  }

  /**
   * The session (and its class) if the actor may take its attendance: admins of the class's
   * county and the session's trainer. Else SESSION_NOT_FOUND (anyone outside the class) or
   * NOT_SESSION_TRAINER (the class's other trainers), as every write answers.
   */
  async sessionForTaking(actor: AuthUser, sessionId: string): Promise<{ session: ClassSession; cls: ScopedClass }> {
    const { s, c } = await this.sessions.getWithClass(sessionId);
    this.assertMayTake(actor, s, c);
    return { session: s, cls: c };
  }

  /** When the session's attendance opens: ATTENDANCE_OPENS_BEFORE_MINUTES before its start. */
  marksOpenAt(session: Pick<ClassSession, 'startsAt'>): Date {
    return new Date(session.startsAt.getTime() - ATTENDANCE_OPENS_BEFORE_MINUTES * 60_000);
  }

  /**
   * The session's attendance: a row per seated trainee (marked or not), and the trail if asked.
   * `access: 'take'` answers only those who may take it (as `sessionForTaking`), for a trainer's screen.
   */
  async view(
    actor: AuthUser,
    sessionId: string,
    history: boolean,
    access: 'read' | 'take' = 'read',
  ): Promise<SessionAttendanceDto> {
    const m = this.tx.manager;
    const { s, c } = await this.sessions.getWithClass(sessionId, m);
    if (access === 'take') this.assertMayTake(actor, s, c);
    else this.assertMayRead(actor, c);
    // One after the other: inside a caller's transaction both would share one connection.
    const seated = await this.enrolments.seated(c.entity.id, m);
    const records = await this.recordsOf(m, s.id);
    const byEnrolment = new Map(records.map((r) => [r.enrolment_id, r]));
    // Enrolments with records that no longer hold a seat (withdrawn later) are listed too.
    const seatedIds = new Set(seated.map((e) => e.id));
    const others = await this.enrolments.describe(
      records.filter((r) => !seatedIds.has(r.enrolment_id)).map((r) => r.enrolment_id),
      m,
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
    const now = this.clock.now();
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
        // Never past the session's end: nobody checks in to a session that is over.
        closesAt: new Date(Math.min(now.getTime() + minutes * 60_000, s.endsAt.getTime())),
      });
      return { w: await repo.save(w), s };
    });
    return this.codeOf(window.w, window.s, now);
  }

  /**
   * The code of the moment of the session's open check-in window, or null when none is open:
   * what the trainer's screen (the 签到码 page) shows at each rotation. The same people as
   * `openCheckIn`; reads only, so it never opens a window nor takes the session's lock.
   */
  async currentCheckIn(actor: AuthUser, sessionId: string): Promise<CheckInCodeDto | null> {
    const now = this.clock.now();
    const { s, c } = await this.sessions.getWithClass(sessionId);
    this.assertMayTake(actor, s, c);
    const w = await this.tx.manager.getRepository(CheckInWindow).findOneBy({ sessionId });
    if (!w || w.closesAt <= now || now >= s.endsAt || s.status === 'cancelled') return null;
    return this.codeOf(w, s, now);
  }

  /** A window's code at `now`, its address and the QR code drawing it. */
  private async codeOf(w: CheckInWindow, s: ClassSession, now: Date): Promise<CheckInCodeDto> {
    const step = stepOf(now);
    const code = codeAt(this.key, w, step);
    // An address any phone's scanner (WeChat's included) opens: the check-in page, one tap after signing in.
    const qrPayload = `${publicBaseUrl(this.env)}${checkInLinkPath(s.id, code)}`;
    return {
      sessionId: s.id,
      code,
      qrPayload,
      qrSvg: await QRCode.toString(qrPayload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
      rotatesAt: stepEndsAt(step),
      windowOpenedAt: w.openedAt,
      windowClosesAt: w.closesAt,
      lateAfter: this.lateAfter(s),
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
   * A code that came in the QR code's link (`fromLink`) is accepted for LINK_CODE_STEPS
   * steps rather than two: the trainee may have had to sign in first.
   */
  async checkIn(
    actor: AuthUser,
    sessionId: string,
    code: string,
    options: { fromLink?: boolean } = {},
  ): Promise<AttendanceEntryDto> {
    const { s, c } = await this.sessions.getWithClass(sessionId);
    if (!this.classes.canRead(actor, c)) throw AttendanceErrors.sessionNotFound();
    const seat = await this.enrolments.seatOf(c.entity.id, actor.id);
    if (!seat) throw AttendanceErrors.notEnrolled();
    if (s.status === 'cancelled') throw AttendanceErrors.sessionCancelled();
    if (this.clock.now() >= s.endsAt) throw AttendanceErrors.sessionEnded();
    const w = await this.tx.manager.getRepository(CheckInWindow).findOneBy({ sessionId });
    if (!w || w.closesAt <= this.clock.now()) throw AttendanceErrors.checkInClosed();

    // Wrong codes are limited before the code is looked at; a right one gives its attempt back.
    const attemptsLeft = await this.throttle.reserve(sessionId, actor.id);
    const at = this.clock.now();
    const steps = options.fromLink ? LINK_CODE_STEPS : TYPED_CODE_STEPS;
    if (!verifyCode(this.key, w, code, at, steps)) throw AttendanceErrors.codeInvalid(attemptsLeft);
    await this.throttle.refund(sessionId, actor.id);

    await this.tx.run(async (m) => {
      // Under the session lock, what was read above may have changed: the session moved or
      // was cancelled, the window closed or reopened (new codes), the trainee withdrew.
      const locked = await this.sessions.getWithClass(sessionId, m, true);
      this.assertTakesAttendance(locked.s, locked.c, at);
      if (at >= locked.s.endsAt) throw AttendanceErrors.sessionEnded();
      const current = await m.getRepository(CheckInWindow).findOneBy({ sessionId });
      if (!current || current.openedAt.getTime() !== w.openedAt.getTime() || current.closesAt <= at) {
        throw AttendanceErrors.checkInClosed();
      }
      const held = await this.enrolments.seatOf(c.entity.id, actor.id, m, true);
      if (held?.id !== seat.id) throw AttendanceErrors.notEnrolled();
      const [existing] = await this.recordsOf(m, sessionId, [seat.id]);
      if (existing?.source === 'trainer') throw AttendanceErrors.markedByTrainer(existing.status);
      if (existing) return; // already checked in: the first check-in stands
      const status = at > this.lateAfter(locked.s) ? 'late' : 'present';
      await this.write(m, sessionId, [{ enrolmentId: seat.id, status, note: null }], 'self', actor.id);
    });
    return this.entryOf(sessionId, seat.id);
  }

  /**
   * What a trainee's check-in screen shows before and after: the session, and the trainee's
   * record of it if there is one. The same access rules as `checkIn` (404 outside the
   * trainee's classes, 403 NOT_ENROLLED without a seat).
   */
  async ownRecord(
    actor: AuthUser,
    sessionId: string,
  ): Promise<{ session: ClassSession; record: Pick<AttendanceEntryDto, 'status' | 'source' | 'recordedAt'> | null }> {
    const { s, c } = await this.sessions.getWithClass(sessionId);
    if (!this.classes.canRead(actor, c)) throw AttendanceErrors.sessionNotFound();
    const seat = await this.enrolments.seatOf(c.entity.id, actor.id);
    if (!seat) throw AttendanceErrors.notEnrolled();
    const [r] = await this.recordsOf(this.tx.manager, sessionId, [seat.id]);
    return { session: s, record: r ? { status: r.status, source: r.source, recordedAt: r.recorded_at } : null };
  }

  /**
   * The sessions a trainee may check in to now: it holds a seat in the class, the session
   * is scheduled and not over, its class takes attendance, its check-in window is open, and
   * the trainee has no record of it yet (checked in, or marked by the trainer). Soonest first.
   */
  async openCheckInsFor(actor: AuthUser): Promise<ClassSession[]> {
    if (actor.role !== 'trainee') return [];
    const ids = await this.tx.manager.query<{ id: string }[]>(
      `SELECT s.id
         FROM check_in_windows w
         JOIN sessions s ON s.id = w.session_id
         JOIN classes c ON c.id = s.class_id
         JOIN enrolments e ON e.class_id = s.class_id
        WHERE e.trainee_id = $1 AND e.status IN ('confirmed', 'completed')
          AND s.status = 'scheduled' AND w.closes_at > $2 AND s.ends_at > $2
          AND c.status::text = ANY($3::text[])
          AND NOT EXISTS (SELECT 1 FROM attendance_records r WHERE r.session_id = s.id AND r.enrolment_id = e.id)
        ORDER BY s.starts_at, s.id
        LIMIT 10`,
      [actor.id, this.clock.now(), ATTENDANCE_CLASS_STATUSES],
    );
    const found: ClassSession[] = [];
    for (const { id } of ids) found.push((await this.sessions.getWithClass(id)).s);
    return found;
  }

  /**
   * Records sent with the `version` they were read at must still be at it: a roster saved
   * from a screen loaded before a check-in or another trainer's change would otherwise
   * replace it unseen. Records sent without a version are simply written.
   */
  private async assertCurrent(m: EntityManager, sessionId: string, records: MarkRecordDto[]): Promise<void> {
    const checked = records.filter((r) => r.version !== undefined);
    if (checked.length === 0) return;
    const current = new Map(
      (
        await this.recordsOf(
          m,
          sessionId,
          checked.map((r) => r.enrolmentId),
        )
      ).map((r) => [r.enrolment_id, r]),
    );
    const stale = checked
      .filter((r) => (current.get(r.enrolmentId)?.version ?? 0) !== r.version)
      .map((r) => ({
        enrolmentId: r.enrolmentId,
        version: current.get(r.enrolmentId)?.version ?? 0,
        status: current.get(r.enrolmentId)?.status ?? null,
      }));
    if (stale.length) throw AttendanceErrors.stale(stale);
  }

  private lateAfter(s: ClassSession): Date {
    return new Date(s.startsAt.getTime() + this.env.CHECK_IN_LATE_AFTER_MINUTES * 60_000);
  }

  /** Admins of the class's county, and the session's trainer. */
  private assertMayTake(actor: AuthUser, s: ClassSession, c: ScopedClass): void {
    this.assertMayRead(actor, c);
    if (actor.role === 'trainer' && s.trainerId !== actor.id) {
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
    if (!ATTENDANCE_CLASS_STATUSES.includes(c.entity.status)) throw AttendanceErrors.classNotActive(c.entity.status);
    const opensAt = this.marksOpenAt(s);
    if (now < opensAt) throw AttendanceErrors.tooEarly(opensAt, ATTENDANCE_OPENS_BEFORE_MINUTES);
  }

  /** Writes records and their audit rows (WRITE_ATTENDANCE_SQL); the caller holds the session lock. */
  private async write(
    m: EntityManager,
    sessionId: string,
    writes: Write[],
    source: AttendanceSource,
    by: string,
  ): Promise<void> {
    await m.query(WRITE_ATTENDANCE_SQL, [
      sessionId,
      writes.map((w) => w.enrolmentId),
      writes.map((w) => w.status),
      writes.map((w) => w.note),
      source,
      by,
    ]);
  }

  private recordsOf(m: EntityManager, sessionId: string, enrolmentIds?: string[]): Promise<RecordRow[]> {
    return m.query<RecordRow[]>(
      `SELECT id, enrolment_id, status, note, source, recorded_by, recorded_at, version
         FROM attendance_records WHERE session_id = $1 AND ($2::uuid[] IS NULL OR enrolment_id = ANY($2::uuid[]))`,
      [sessionId, enrolmentIds ?? null],
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
    const [e] = await this.enrolments.describe([enrolmentId], m);
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
