import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { subtreePattern } from '../common/database/subtree';
import { TransactionService } from '../common/database/transaction.service';
import { Clock } from '../common/time/clock';
import { currentYear, formatInstant, localDate } from '../common/time/zoned-time';
import { Env } from '../config/env';
import { OrgUnitsService } from '../org-units/org-units.service';
import type {
  ReportFiguresDto,
  ReportUnitDto,
  SummaryReportDto,
  TownshipFiguresDto,
  TownshipReportDto,
  TrendsReportDto,
} from './dto/figures.dto';
import { type ReportPeriod, reportPeriod } from './report-period';
import { bindNamed } from './bind-named';
import {
  ATTENDANCE_FIGURES_SQL,
  SCOPE_CLASSES_SQL,
  SCOPE_FIGURES_SQL,
  SCOPE_SESSIONS_SQL,
  SCOPE_TOWNSHIPS_SQL,
  SCOPE_UNITS_SQL,
  TOWNSHIP_FIGURES_SQL,
  TRENDS_SQL,
} from './report-figures.sql';

/** 0..1 to three decimals; null when there is nothing to divide by. */
export const ratio = (part: number, whole: number | null): number | null =>
  whole ? Math.round((part / whole) * 1000) / 1000 : null;

type TownshipRow = Omit<TownshipFiguresDto, 'personTimes' | 'rotationCoverage' | 'quizPassRate'>;

/** A line of ATTENDANCE_FIGURES_SQL: a township's attendance figures, or (township null) the scope's trainees. */
type AttendanceRow = Pick<
  TownshipRow,
  'classesHeld' | 'sessionsHeld' | 'personTimesFromAttendance' | 'uniqueTrainees' | 'covered'
> & { townshipId: string | null };

/** A line of TOWNSHIP_FIGURES_SQL: a township with its other figures. */
type OtherRow = Omit<TownshipRow, keyof AttendanceRow> & { townshipId: string };

interface ScopeRow {
  classesHeld: number;
  sessionsHeld: number;
  personTimesFromEvents: number;
  townshipsTotal: number;
  targetClasses: number | null;
  targetPersonTimes: number | null;
}

/** The unit a report is about (what the org-units service answers, as far as reports read it). */
interface ScopeUnit {
  id: string;
  name: string;
  kind: string;
  path: string;
}

/**
 * How a unit is reported on. County and above: its townships, the classes of its plans and
 * every event under it. A township: its own trainees and events. A village: the township's
 * figures counted for the village's trainees and events only.
 */
export interface Scope {
  unit: ScopeUnit;
  townships: string;
  trainees: string | null;
  /** County and above: the LIKE pattern of the plans, classes and events the scope owns. */
  owner: string | null;
  events: string;
}

/** The ids the figures start from (see SCOPE_TOWNSHIPS_SQL and SCOPE_SESSIONS_SQL). */
interface ScopeIds {
  townships: string[];
  classes: string[];
  inPeriod: string[];
  outside: string[];
  counted: string[];
  /** Every unit of the townships (SCOPE_UNITS_SQL), and the township of each. */
  units: string[];
  unitTownships: string[];
}

/** What a report is asked for: the year (default: this year), a quarter, the unit (default: the caller's). */
export interface ReportRequest {
  year?: number;
  quarter?: number;
  orgUnitId?: string;
}

/** The figures of one period and scope, with what they are of. */
export interface ReportFigures {
  period: ReportPeriod;
  unit: ScopeUnit;
  asOf: Date;
  rows: TownshipFiguresDto[];
  summary: SummaryReportDto;
  personTimesFromEventsOutsideTownships: number;
}

/**
 * The summary, township and trend reports: every figure counted live from the records by the
 * SQL in report-figures.sql.ts, in the admin's part of the tree. See docs/reports.md.
 */
@Injectable()
export class ReportFiguresService {
  constructor(
    private readonly tx: TransactionService,
    private readonly orgUnits: OrgUnitsService,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  /** The unit to report on (the caller's own by default; 404 outside the caller's subtree) and how. */
  async scopeOf(actor: AuthUser, orgUnitId?: string): Promise<Scope> {
    const unit = await this.orgUnits.getInScope(actor, orgUnitId ?? actor.orgUnitId);
    const own = subtreePattern(unit.path);
    if (unit.kind === 'village') {
      const township = unit.path.slice(0, unit.path.slice(0, -1).lastIndexOf('/') + 1);
      return { unit, townships: township, trainees: own, owner: null, events: own };
    }
    return { unit, townships: own, trainees: null, owner: unit.kind === 'township' ? null : own, events: own };
  }

  /**
   * The townships of a scope and the classes their trainees enrolled in, looked up before the
   * figures so that PostgreSQL plans those with the real numbers (see SCOPE_TOWNSHIPS_SQL).
   */
  private async idsOf(
    [first, second]: EntityManager[],
    scope: Scope,
    period: ReportPeriod,
    now: Date,
  ): Promise<ScopeIds> {
    const query = <T>(m: EntityManager, sql: string, values: Record<string, unknown>) =>
      m.query<T>(...bindNamed(sql, values));
    const townships = (await first.query<{ id: string }[]>(SCOPE_TOWNSHIPS_SQL, [scope.townships])).map((r) => r.id);
    const classes = townships.length
      ? (await query<{ id: string }[]>(first, SCOPE_CLASSES_SQL, { townships })).map((r) => r.id)
      : [];
    const [[sessions], units] = await Promise.all([
      query<{ inPeriod: string[]; outside: string[]; counted: string[] }[]>(first, SCOPE_SESSIONS_SQL, {
        classes,
        start: period.start,
        end: period.end,
        now,
      }),
      query<{ townshipId: string; unitId: string }[]>(second, SCOPE_UNITS_SQL, { townships, village: scope.trainees }),
    ]);
    return {
      townships,
      classes,
      ...sessions,
      unitTownships: units.map((u) => u.townshipId),
      units: units.map((u) => u.unitId),
    };
  }

  /**
   * Every figure of the period, per township and for the whole scope, as of `now` (pass one
   * instant to several calls that must agree, as the annual workbook does).
   */
  async figures(actor: AuthUser, request: ReportRequest, now: Date = this.clock.now()): Promise<ReportFigures> {
    const zone = this.env.TZ_DEFAULT;
    const scope = await this.scopeOf(actor, request.orgUnitId);
    const period = reportPeriod(request.year ?? currentYear(zone, now), request.quarter ?? null, zone);
    // Three connections reading one snapshot: the statements run at once (a province's report
    // uses both cores) and still agree with each other as one statement would.
    const { others, attendance, owned } = await this.tx.readInOneSnapshot(3, async (managers) => {
      const ids = await this.idsOf(managers, scope, period, now);
      const values = {
        ...periodValues(scope, period, now),
        ...ids,
        today: localDate(now, zone),
        year: period.year,
        lastDay: period.quarter ? period.to : null,
      };
      const [first, second, third] = managers;
      const [o, a, [w]] = await Promise.all([
        first.query<OtherRow[]>(...bindNamed(TOWNSHIP_FIGURES_SQL, values)),
        second.query<AttendanceRow[]>(...bindNamed(ATTENDANCE_FIGURES_SQL, values)),
        third.query<ScopeRow[]>(SCOPE_FIGURES_SQL, [
          scope.events,
          period.start,
          period.end,
          now,
          period.from,
          period.toExclusive,
          period.year,
        ]),
      ]);
      return { others: o, attendance: a, owned: w };
    });
    const attendanceOf = new Map(attendance.map((a) => [a.townshipId, a]));
    const none: AttendanceRow = {
      townshipId: null,
      classesHeld: 0,
      sessionsHeld: 0,
      personTimesFromAttendance: 0,
      uniqueTrainees: 0,
      covered: false,
    };
    const rows: TownshipRow[] = others.map((o) => {
      const a = attendanceOf.get(o.townshipId) ?? none;
      // In the order a reader goes through them (the DTO's).
      return {
        townshipId: o.townshipId,
        name: o.name,
        parentId: o.parentId,
        parentName: o.parentName,
        classesHeld: a.classesHeld,
        sessionsHeld: a.sessionsHeld,
        personTimesFromAttendance: a.personTimesFromAttendance,
        personTimesFromEvents: o.personTimesFromEvents,
        uniqueTrainees: a.uniqueTrainees,
        covered: a.covered,
        rotationStaff: o.rotationStaff,
        rotationTrained: o.rotationTrained,
        quizGraded: o.quizGraded,
        quizPassed: o.quizPassed,
        certificatesIssued: o.certificatesIssued,
        visitsDone: o.visitsDone,
        visitsOverdue: o.visitsOverdue,
      };
    });
    const scopeTrainees = attendanceOf.get(null)?.uniqueTrainees ?? 0;
    const items = rows.map(withRatios);
    const sum = (pick: (r: TownshipFiguresDto) => number): number => items.reduce((acc, r) => acc + pick(r), 0);
    // Classes and sessions: a county's own (its plans'), or for a township the ones it took part in.
    const ownsClasses = scope.owner !== null;
    const covered = scope.unit.kind === 'village' ? null : items.filter((r) => r.covered).length;
    const townshipsTotal = scope.unit.kind === 'village' ? null : owned.townshipsTotal;
    const targets = { classes: owned.targetClasses, personTimes: owned.targetPersonTimes };
    const figures: ReportFiguresDto = withRatios({
      classesHeld: ownsClasses ? owned.classesHeld : sum((r) => r.classesHeld),
      sessionsHeld: ownsClasses ? owned.sessionsHeld : sum((r) => r.sessionsHeld),
      personTimesFromAttendance: sum((r) => r.personTimesFromAttendance),
      personTimesFromEvents: owned.personTimesFromEvents,
      uniqueTrainees: scopeTrainees,
      rotationStaff: sum((r) => r.rotationStaff),
      rotationTrained: sum((r) => r.rotationTrained),
      quizGraded: sum((r) => r.quizGraded),
      quizPassed: sum((r) => r.quizPassed),
      certificatesIssued: sum((r) => r.certificatesIssued),
      visitsDone: sum((r) => r.visitsDone),
      visitsOverdue: sum((r) => r.visitsOverdue),
    });
    const summary: SummaryReportDto = {
      ...header(period, scope.unit, now, zone),
      ...figures,
      townshipsCovered: covered,
      townshipsTotal,
      townshipCoverage: covered === null ? null : ratio(covered, townshipsTotal),
      targets,
      progress: {
        classes: ratio(figures.classesHeld, targets.classes),
        personTimes: ratio(figures.personTimes, targets.personTimes),
      },
    };
    return {
      period,
      unit: scope.unit,
      asOf: now,
      rows: items,
      summary,
      personTimesFromEventsOutsideTownships: owned.personTimesFromEvents - sum((r) => r.personTimesFromEvents),
    };
  }

  async summary(actor: AuthUser, request: ReportRequest): Promise<SummaryReportDto> {
    return (await this.figures(actor, request)).summary;
  }

  async townships(actor: AuthUser, request: ReportRequest): Promise<TownshipReportDto> {
    const f = await this.figures(actor, request);
    return {
      ...header(f.period, f.unit, f.asOf, this.env.TZ_DEFAULT),
      items: f.rows,
      personTimesFromEventsOutsideTownships: f.personTimesFromEventsOutsideTownships,
      totals: f.summary,
    };
  }

  /** Monthly and quarterly series of sessions and person-times, for charts. */
  async trends(actor: AuthUser, request: { year?: number; orgUnitId?: string }): Promise<TrendsReportDto> {
    const zone = this.env.TZ_DEFAULT;
    const now = this.clock.now();
    const scope = await this.scopeOf(actor, request.orgUnitId);
    const period = reportPeriod(request.year ?? currentYear(zone, now), null, zone);
    const rows = await this.tx.readInOneSnapshot(2, async (managers) => {
      const ids = await this.idsOf(managers, scope, period, now);
      return managers[0].query<
        { month: number; sessionsHeld: number; personTimesFromAttendance: number; personTimesFromEvents: number }[]
      >(
        ...bindNamed(TRENDS_SQL, {
          ...periodValues(scope, period, now),
          ...ids,
          zone,
          owner: scope.owner,
          eventsUnder: scope.events,
        }),
      );
    });
    const months = rows.map((r) => ({ ...r, personTimes: r.personTimesFromAttendance + r.personTimesFromEvents }));
    const quarters = [1, 2, 3, 4].map((quarter) => {
      const of = months.filter((m) => Math.ceil(m.month / 3) === quarter);
      const add = (k: 'sessionsHeld' | 'personTimesFromAttendance' | 'personTimesFromEvents' | 'personTimes') =>
        of.reduce((acc, m) => acc + m[k], 0);
      return {
        quarter,
        sessionsHeld: add('sessionsHeld'),
        personTimesFromAttendance: add('personTimesFromAttendance'),
        personTimesFromEvents: add('personTimesFromEvents'),
        personTimes: add('personTimes'),
      };
    });
    return { year: period.year, orgUnit: unitOf(scope.unit), asOf: formatInstant(now, zone)!, months, quarters };
  }
}

/** The named parameters every figure statement shares: the scope's trainees and the period. */
function periodValues(scope: Scope, period: ReportPeriod, now: Date) {
  return {
    village: scope.trainees,
    start: period.start,
    end: period.end,
    now,
    from: period.from,
    until: period.toExclusive,
  };
}

function unitOf(unit: ScopeUnit): ReportUnitDto {
  return { id: unit.id, name: unit.name, kind: unit.kind };
}

function header(period: ReportPeriod, unit: ScopeUnit, asOf: Date, zone: string) {
  return {
    year: period.year,
    quarter: period.quarter,
    from: period.from,
    to: period.to,
    orgUnit: unitOf(unit),
    asOf: formatInstant(asOf, zone)!,
  };
}

/** Adds the sums and ratios that follow from the counted figures. */
function withRatios<T extends Omit<ReportFiguresDto, 'personTimes' | 'rotationCoverage' | 'quizPassRate'>>(
  row: T,
): T & Pick<ReportFiguresDto, 'personTimes' | 'rotationCoverage' | 'quizPassRate'> {
  return {
    ...row,
    personTimes: row.personTimesFromAttendance + row.personTimesFromEvents,
    rotationCoverage: ratio(row.rotationTrained, row.rotationStaff),
    quizPassRate: ratio(row.quizPassed, row.quizGraded),
  };
}
