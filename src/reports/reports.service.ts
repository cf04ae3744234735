import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { PersonTimesService } from '../attendance/person-times.service';
import { inSubtree, subtreePattern } from '../common/database/subtree';
import { TransactionService } from '../common/database/transaction.service';
import { XLSX_TYPE } from '../common/http/download';
import { Clock } from '../common/time/clock';
import { currentYear, localDate } from '../common/time/zoned-time';
import { Env } from '../config/env';
import { OrgUnitsService } from '../org-units/org-units.service';
import { annualReportXlsx } from './annual-report.export';
import {
  ANNUAL_CLASSES_ATTENDED_SQL,
  ANNUAL_CLASSES_OWNED_SQL,
  ANNUAL_EVENTS_SQL,
  ANNUAL_LIST_LIMIT,
  ANNUAL_VISITS_SQL,
  type AnnualClassRow,
  type AnnualEventRow,
  type AnnualVisitRow,
} from './annual-report.sql';
import type { TownshipReportDto } from './dto/figures.dto';
import type { RotationReportDto, TownshipRotationDto, UntrainedTraineeDto } from './dto/rotation.dto';
import {
  type ReportFigures,
  ReportFiguresService,
  type ReportRequest,
  ratio,
  type Scope,
} from './report-figures.service';
import { type ReportPeriod, reportPeriod } from './report-period';
import { rotationCsv, rotationXlsx } from './rotation.export';
import { periodName, townshipReportCsv, townshipReportXlsx } from './township-report.export';

/**
 * SQL of the annual rotation: one row per township under the scope ($1: the LIKE pattern of
 * the admin's subtree, see `subtreePattern`) for the year $2, with the staff count of its
 * survey that year, its active trainee accounts (of the township itself and its villages), how
 * many of them completed a class of that year, and the ones who did not (JSON, the township
 * office first, then by village and name).
 *
 * Index-backed throughout: the townships are a range of the path index; the units under each
 * are found with `inSubtree` (a range of the same index bounded by the township's path, where
 * `LIKE t.path || '%'` could use no index and read every unit for every township), their
 * trainees through `users.org_unit_id`, a trainee's completed class through
 * `enrolments.trainee_id`, the survey through its (township, year) key. The per-township
 * aggregate sits in a LATERAL subquery, so PostgreSQL runs it once per township with that
 * township's path as the index bounds (see the EXPLAIN test in reports-rotation.e2e-spec.ts).
 */
export const ROTATION_SQL = `
  SELECT t.id AS "townshipId", t.name,
         (SELECT s.staff_count FROM surveys s WHERE s.org_unit_id = t.id AND s.year = $2) AS "surveyStaffCount",
         m.accounts, m.trained, m."notTrained"
    FROM org_units t
   CROSS JOIN LATERAL (
     SELECT count(*)::int AS accounts,
            count(done.trained)::int AS trained,
            coalesce(
              json_agg(json_build_object('id', u.id, 'displayName', u.display_name, 'unitId', o.id,
                                         'unitName', o.name, 'phone', u.phone)
                       ORDER BY o.depth, o.name, o.id, u.display_name, u.id) FILTER (WHERE done.trained IS NULL),
              '[]') AS "notTrained"
       FROM org_units o
       JOIN users u ON u.org_unit_id = o.id AND u.role = 'trainee' AND u.active
       LEFT JOIN LATERAL (
         SELECT true AS trained
           FROM enrolments e JOIN classes c ON c.id = e.class_id JOIN plans p ON p.id = c.plan_id
          WHERE e.trainee_id = u.id AND e.status = 'completed' AND p.year = $2
          LIMIT 1) done ON true
      WHERE ${inSubtree('o.path', 't.path')}
   ) m
   WHERE t.kind = 'township' AND t.path LIKE $1
   ORDER BY t.name, t.id`;

interface RotationRow {
  townshipId: string;
  name: string;
  surveyStaffCount: number | null;
  accounts: number;
  trained: number;
  notTrained: (UntrainedTraineeDto & { phone: string | null })[];
}

/** A rotation report as a file to download. */
export interface ReportFile {
  filename: string;
  contentType: string;
  body: Buffer;
}

/** Reports are SQL a reader can run in psql; the service only shapes the rows. */
@Injectable()
export class ReportsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly personTimes: PersonTimesService,
    private readonly orgUnits: OrgUnitsService,
    private readonly figures: ReportFiguresService,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  /**
   * For each township under `scopePath` (every township by default), its active trainees who
   * completed no class of `year`, with the township's path (whose centre it belongs to):
   * what the annual-rotation reminder lists.
   */
  async untrainedByTownship(
    year: number,
    scopePath = '/',
  ): Promise<{ townshipId: string; name: string; path: string; notTrained: { displayName: string }[] }[]> {
    const rows = await this.tx.manager.query<RotationRow[]>(ROTATION_SQL, [subtreePattern(scopePath), year]);
    if (rows.length === 0) return [];
    const paths = await this.tx.manager.query<{ id: string; path: string }[]>(
      `SELECT id, path FROM org_units WHERE id = ANY($1::uuid[])`,
      [rows.map((r) => r.townshipId)],
    );
    const pathOf = new Map(paths.map((p) => [p.id, p.path]));
    return rows.map((r) => ({
      townshipId: r.townshipId,
      name: r.name,
      path: pathOf.get(r.townshipId)!,
      notTrained: r.notTrained.map((p) => ({ displayName: p.displayName })),
    }));
  }

  /**
   * Annual rotation: every township in the admin's part of the tree with its active trainee
   * accounts beside the staff count of its survey, who completed a class of that year and who
   * did not (with unit and, for admins, phone), and its person-times that year (counted live
   * from attendance records), and its contact people (whom to call). Without a year: the
   * current year in the centre's time zone.
   */
  async rotation(actor: AuthUser, year = currentYear(this.env.TZ_DEFAULT)): Promise<RotationReportDto> {
    const [rows, personTimesOf] = await Promise.all([
      this.tx.manager.query<RotationRow[]>(ROTATION_SQL, [subtreePattern(actor.orgPath), year]),
      this.personTimes.byTownship(year, actor.orgPath),
    ]);
    // The route is admin-only; should another role ever see the report, it gets no phone numbers.
    const withPhone = actor.role === 'admin';
    const contactsOf = await this.orgUnits.contactsOf(rows.map((r) => r.townshipId));
    const townships: TownshipRotationDto[] = rows.map((r) => ({
      townshipId: r.townshipId,
      name: r.name,
      accounts: r.accounts,
      staffCount: r.accounts,
      surveyStaffCount: r.surveyStaffCount,
      trained: r.trained,
      notTrained: r.notTrained.map(({ phone, ...person }) => (withPhone ? { ...person, phone } : person)),
      coverage: ratio(r.trained, r.accounts),
      personTimes: personTimesOf.get(r.townshipId) ?? 0,
      contacts: (contactsOf.get(r.townshipId) ?? []).map((c) => (withPhone ? c : { ...c, phone: null })),
    }));
    const sum = (pick: (t: TownshipRotationDto) => number) => townships.reduce((a, t) => a + pick(t), 0);
    const surveyed = townships.filter((t) => t.surveyStaffCount !== null);
    const accounts = sum((t) => t.accounts);
    const trained = sum((t) => t.trained);
    return {
      year,
      accounts,
      staffCount: accounts,
      surveyStaffCount: surveyed.length ? surveyed.reduce((a, t) => a + t.surveyStaffCount!, 0) : null,
      surveyedTownships: surveyed.length,
      trained,
      coverage: ratio(trained, accounts),
      personTimes: sum((t) => t.personTimes),
      townships,
    };
  }

  /**
   * The rotation report as a download: `csv` lists the untrained people (UTF-8 with BOM);
   * `xlsx` has the township summary and that list on two sheets, titled with the admin's unit.
   */
  async rotationFile(actor: AuthUser, format: 'csv' | 'xlsx', year?: number): Promise<ReportFile> {
    const report = await this.rotation(actor, year);
    if (format === 'csv') {
      return {
        filename: `${report.year}年年度轮训未参训人员.csv`,
        contentType: 'text/csv; charset=utf-8',
        body: rotationCsv(report),
      };
    }
    const [unit] = await this.tx.manager.query<{ name: string }[]>('SELECT name FROM org_units WHERE id = $1', [
      actor.orgUnitId,
    ]);
    return {
      filename: `${report.year}年年度轮训情况.xlsx`,
      contentType: XLSX_TYPE,
      body: await rotationXlsx(report, unit?.name ?? ''),
    };
  }

  /**
   * The township table as a download, named for the unit and period
   * (`城关县2026年第2季度乡镇培训统计.csv`): see township-report.export.ts.
   */
  async townshipsFile(actor: AuthUser, format: 'csv' | 'xlsx', request: ReportRequest): Promise<ReportFile> {
    const report = await this.figures.townships(actor, request);
    const name = `${report.orgUnit.name}${periodName(report.year, report.quarter)}乡镇培训统计`;
    if (format === 'csv') {
      return { filename: `${name}.csv`, contentType: 'text/csv; charset=utf-8', body: townshipReportCsv(report) };
    }
    return { filename: `${name}.xlsx`, contentType: XLSX_TYPE, body: await townshipReportXlsx(report) };
  }

  /**
   * The annual workbook (`城关县2026年度培训工作统计.xlsx`, see annual-report.export.ts): the
   * figures of the year and of each quarter, and the year's classes, events and visits of the
   * unit (the caller's by default), all read at once.
   */
  async annualFile(actor: AuthUser, request: { year?: number; orgUnitId?: string }): Promise<ReportFile> {
    const zone = this.env.TZ_DEFAULT;
    const now = this.clock.now();
    // The unit first: a unit outside the caller's part of the tree is refused before any work.
    const scope = await this.figures.scopeOf(actor, request.orgUnitId);
    const period = reportPeriod(request.year ?? currentYear(zone, now), null, zone);
    // The year and its quarters one after another: each already reads on three connections at
    // once, and five at a time would take most of the pool from everyone else.
    const figuresOf = async (): Promise<ReportFigures[]> => {
      const out: ReportFigures[] = [];
      for (const quarter of [undefined, 1, 2, 3, 4]) {
        out.push(await this.figures.figures(actor, { year: period.year, quarter, orgUnitId: scope.unit.id }, now));
      }
      return out;
    };
    const [[year, q1, q2, q3, q4], classes, events, visits] = await Promise.all([
      figuresOf(),
      this.annualClasses(scope, period, now),
      this.tx.manager.query<AnnualEventRow[]>(ANNUAL_EVENTS_SQL, [
        scope.events,
        period.from,
        period.toExclusive,
        ANNUAL_LIST_LIMIT,
      ]),
      this.tx.manager.query<AnnualVisitRow[]>(ANNUAL_VISITS_SQL, [
        scope.townships,
        period.from,
        period.toExclusive,
        localDate(now, zone),
        ANNUAL_LIST_LIMIT,
        scope.trainees,
      ]),
    ]);
    const body = await annualReportXlsx({
      year: townshipReportOf(year),
      quarters: [q1, q2, q3, q4].map((q) => q.summary),
      classes,
      events,
      visits,
    });
    return { filename: `${scope.unit.name}${period.year}年度培训工作统计.xlsx`, contentType: XLSX_TYPE, body };
  }

  /** The classes counted in the year's `classesHeld`: the scope's own (county and up) or those its trainees came to. */
  private annualClasses(scope: Scope, period: ReportPeriod, now: Date): Promise<AnnualClassRow[]> {
    const common = [period.start, period.end, now, this.env.TZ_DEFAULT, ANNUAL_LIST_LIMIT];
    return scope.owner !== null
      ? this.tx.manager.query<AnnualClassRow[]>(ANNUAL_CLASSES_OWNED_SQL, [scope.owner, ...common])
      : this.tx.manager.query<AnnualClassRow[]>(ANNUAL_CLASSES_ATTENDED_SQL, [
          scope.townships,
          ...common,
          scope.trainees,
        ]);
  }
}

/** The township report of a period's figures (what `ReportFiguresService.townships()` answers). */
function townshipReportOf(f: ReportFigures): TownshipReportDto {
  const { year, quarter, from, to, orgUnit, asOf } = f.summary;
  return {
    year,
    quarter,
    from,
    to,
    orgUnit,
    asOf,
    items: f.rows,
    personTimesFromEventsOutsideTownships: f.personTimesFromEventsOutsideTownships,
    totals: f.summary,
  };
}
