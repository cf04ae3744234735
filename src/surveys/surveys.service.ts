import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import { currentYear } from '../common/time/zoned-time';
import { Env } from '../config/env';
import { type Page, pageOf } from '../common/pagination/page.dto';
import type { OrgUnit } from '../org-units/org-units.types';
import { isWithin, OrgUnitsService } from '../org-units/org-units.service';
import type {
  CreateSurveyDto,
  SurveyEducationCountsDto,
  ListSurveysQueryDto,
  SurveyProficiencyCountsDto,
  SurveySummaryDto,
  UpdateSurveyDto,
} from './dto/survey.dto';
import { Survey } from './survey.entity';
import { SurveyErrors } from './surveys.errors';

/** A survey with its township loaded (for the township's name). */
export type SurveyWithUnit = Survey & { orgUnit: OrgUnit };

/**
 * Every township under the scope ($1: path prefix) with its survey of year $2, if any.
 * The summary's per-township list and its totals both start from this join.
 */
const TOWNSHIPS_WITH_SURVEY = `
    FROM org_units o
    LEFT JOIN surveys s ON s.org_unit_id = o.id AND s.year = $2
   WHERE o.path LIKE $1 AND o.kind = 'township'`;

const PER_TOWNSHIP_SQL = `
  SELECT o.id AS "orgUnitId", o.name, s.id AS "surveyId",
         s.service_points AS "servicePoints", s.staff_count AS "staffCount",
         s.proficiency_none AS "none", s.proficiency_basic AS "basic",
         s.proficiency_intermediate AS "intermediate", s.proficiency_advanced AS "advanced",
         s.education_primary AS "primary", s.education_secondary AS "secondary", s.education_tertiary AS "tertiary",
         coalesce(s.topics_wanted, '{}') AS "topicsWanted"
  ${TOWNSHIPS_WITH_SURVEY}
   ORDER BY o.name, o.id`;

/** Sums over the surveyed townships, and each proficiency level's share of the summed proficiency counts. */
const TOTALS_SQL = `
  WITH t AS (
    SELECT count(*)::int AS "townships", count(s.id)::int AS "surveyed",
           coalesce(sum(s.service_points), 0)::bigint AS "servicePoints",
           coalesce(sum(s.staff_count), 0)::bigint AS "staffCount",
           coalesce(sum(s.proficiency_none), 0)::bigint AS "none",
           coalesce(sum(s.proficiency_basic), 0)::bigint AS "basic",
           coalesce(sum(s.proficiency_intermediate), 0)::bigint AS "intermediate",
           coalesce(sum(s.proficiency_advanced), 0)::bigint AS "advanced",
           coalesce(sum(s.education_primary), 0)::bigint AS "primary",
           coalesce(sum(s.education_secondary), 0)::bigint AS "secondary",
           coalesce(sum(s.education_tertiary), 0)::bigint AS "tertiary"
    ${TOWNSHIPS_WITH_SURVEY}
  )
  SELECT t.*,
         coalesce(round(t."none"::numeric / nullif(p.total, 0), 3), 0) AS "shareNone",
         coalesce(round(t."basic"::numeric / nullif(p.total, 0), 3), 0) AS "shareBasic",
         coalesce(round(t."intermediate"::numeric / nullif(p.total, 0), 3), 0) AS "shareIntermediate",
         coalesce(round(t."advanced"::numeric / nullif(p.total, 0), 3), 0) AS "shareAdvanced"
    FROM t, LATERAL (SELECT t."none" + t."basic" + t."intermediate" + t."advanced" AS total) p`;

/**
 * The ten topics most townships want, compared trimmed and case-folded; each is shown in
 * its most common spelling. A township counts once per topic.
 */
const TOP_TOPICS_SQL = `
  SELECT mode() WITHIN GROUP (ORDER BY btrim(t.topic)) AS "topic", count(DISTINCT s.id)::int AS "townships"
    FROM surveys s
    JOIN org_units o ON o.id = s.org_unit_id
   CROSS JOIN LATERAL unnest(s.topics_wanted) AS t(topic)
   WHERE o.path LIKE $1 AND o.kind = 'township' AND s.year = $2 AND btrim(t.topic) <> ''
   GROUP BY lower(btrim(t.topic))
   ORDER BY "townships" DESC, lower(btrim(t.topic))
   LIMIT 10`;

type Num = number | string;
interface PerTownshipRow {
  orgUnitId: string;
  name: string;
  surveyId: string | null;
  servicePoints: number | null;
  staffCount: number | null;
  none: number | null;
  basic: number | null;
  intermediate: number | null;
  advanced: number | null;
  primary: number | null;
  secondary: number | null;
  tertiary: number | null;
  topicsWanted: string[];
}
interface TotalsRow {
  townships: number;
  surveyed: number;
  servicePoints: Num;
  staffCount: Num;
  none: Num;
  basic: Num;
  intermediate: Num;
  advanced: Num;
  primary: Num;
  secondary: Num;
  tertiary: Num;
  shareNone: Num;
  shareBasic: Num;
  shareIntermediate: Num;
  shareAdvanced: Num;
}

const sum = (...values: number[]) => values.reduce((a, b) => a + b, 0);

/** Neither the proficiency nor the education counts may add up to more staff than there are. */
function checkCounts(
  staffCount: number,
  proficiency: SurveyProficiencyCountsDto,
  education: SurveyEducationCountsDto | null | undefined,
): void {
  const p = sum(proficiency.none, proficiency.basic, proficiency.intermediate, proficiency.advanced);
  if (p > staffCount) throw SurveyErrors.countsExceedStaff('proficiency', p, staffCount);
  if (education) {
    const e = sum(education.primary, education.secondary, education.tertiary);
    if (e > staffCount) throw SurveyErrors.countsExceedStaff('education', e, staffCount);
  }
}

function educationColumns(education: SurveyEducationCountsDto | null | undefined) {
  return {
    educationPrimary: education?.primary ?? null,
    educationSecondary: education?.secondary ?? null,
    educationTertiary: education?.tertiary ?? null,
  };
}

function proficiencyColumns(p: SurveyProficiencyCountsDto) {
  return {
    proficiencyNone: p.none,
    proficiencyBasic: p.basic,
    proficiencyIntermediate: p.intermediate,
    proficiencyAdvanced: p.advanced,
  };
}

/** Needs surveys: one per township and year, entered and read by admins of the township's subtree. */
@Injectable()
export class SurveysService {
  constructor(
    private readonly tx: TransactionService,
    private readonly orgUnits: OrgUnitsService,
    private readonly env: Env,
  ) {}

  /** A survey of a township inside the admin's subtree, or 404 SURVEY_NOT_FOUND. */
  async getInScope(actor: AuthUser, id: string, manager?: EntityManager): Promise<SurveyWithUnit> {
    const m = manager ?? this.tx.manager;
    const survey = await m.getRepository(Survey).findOne({ where: { id }, relations: { orgUnit: true } });
    if (!survey?.orgUnit || !isWithin(survey.orgUnit.path, actor.orgPath)) throw SurveyErrors.notFound();
    return survey as SurveyWithUnit;
  }

  async list(actor: AuthUser, query: ListSurveysQueryDto): Promise<Page<SurveyWithUnit>> {
    let scopePath = actor.orgPath;
    if (query.orgUnitId) scopePath = (await this.orgUnits.getInScope(actor, query.orgUnitId)).path;
    const qb = this.tx.manager
      .getRepository(Survey)
      .createQueryBuilder('s')
      .innerJoinAndSelect('s.orgUnit', 'o')
      .where('o.path LIKE :scope', { scope: `${scopePath}%` })
      .orderBy('s.year', 'DESC')
      .addOrderBy('o.name')
      .addOrderBy('s.id')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    if (query.year !== undefined) qb.andWhere('s.year = :year', { year: query.year });
    const [items, total] = await qb.getManyAndCount();
    return pageOf(items as SurveyWithUnit[], total, query);
  }

  async create(actor: AuthUser, dto: CreateSurveyDto): Promise<SurveyWithUnit> {
    return this.tx.mapViolations(
      () =>
        this.tx.run(async (m) => {
          const unit = await this.orgUnits.getInScope(actor, dto.orgUnitId, m);
          if (unit.kind !== 'township') throw SurveyErrors.notTownship(unit.kind);
          checkCounts(dto.staffCount, dto.proficiency, dto.education);
          const existing = await m.getRepository(Survey).findOneBy({ orgUnitId: unit.id, year: dto.year });
          if (existing) throw SurveyErrors.exists(existing.id, dto.year);
          const repo = m.getRepository(Survey);
          const saved = await repo.save(
            repo.create({
              orgUnitId: unit.id,
              year: dto.year,
              servicePoints: dto.servicePoints,
              staffCount: dto.staffCount,
              ...proficiencyColumns(dto.proficiency),
              ...educationColumns(dto.education),
              topicsWanted: dto.topicsWanted ?? [],
              notes: dto.notes ?? null,
            }),
          );
          return this.getInScope(actor, saved.id, m);
        }),
      // A concurrent request surveyed the township first: name its survey.
      async (v, fresh) => {
        if (v.constraint !== 'uq_surveys_org_unit_year') return undefined;
        const winner = await fresh.getRepository(Survey).findOneBy({ orgUnitId: dto.orgUnitId, year: dto.year });
        return SurveyErrors.exists(winner?.id, dto.year);
      },
    );
  }

  async update(actor: AuthUser, id: string, dto: UpdateSurveyDto): Promise<SurveyWithUnit> {
    return this.tx.run(async (m) => {
      const repo = m.getRepository(Survey);
      // Locked: the count checks read fields that a concurrent correction could change.
      const survey = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!survey) throw SurveyErrors.notFound();
      const [unit] = await m.query<{ path: string }[]>('SELECT path FROM org_units WHERE id = $1', [survey.orgUnitId]);
      if (!unit || !isWithin(unit.path, actor.orgPath)) throw SurveyErrors.notFound();

      if (dto.servicePoints !== undefined) survey.servicePoints = dto.servicePoints;
      if (dto.staffCount !== undefined) survey.staffCount = dto.staffCount;
      if (dto.proficiency !== undefined) Object.assign(survey, proficiencyColumns(dto.proficiency));
      if (dto.education !== undefined) Object.assign(survey, educationColumns(dto.education));
      if (dto.topicsWanted !== undefined) survey.topicsWanted = dto.topicsWanted;
      if (dto.notes !== undefined) survey.notes = dto.notes;
      checkCounts(
        survey.staffCount,
        {
          none: survey.proficiencyNone,
          basic: survey.proficiencyBasic,
          intermediate: survey.proficiencyIntermediate,
          advanced: survey.proficiencyAdvanced,
        },
        survey.educationPrimary === null
          ? null
          : {
              primary: survey.educationPrimary,
              secondary: survey.educationSecondary ?? 0,
              tertiary: survey.educationTertiary ?? 0,
            },
      );
      await repo.save(survey);
      return this.getInScope(actor, id, m);
    });
  }

  /**
   * The year's surveys across the admin's subtree, aggregated in SQL (see the queries above).
   * Without a year: the current year in the centre's time zone.
   */
  async summary(actor: AuthUser, year = currentYear(this.env.TZ_DEFAULT)): Promise<SurveySummaryDto> {
    const params = [`${actor.orgPath}%`, year];
    const m = this.tx.manager;
    const [rows, [t], topTopics] = await Promise.all([
      m.query<PerTownshipRow[]>(PER_TOWNSHIP_SQL, params),
      m.query<TotalsRow[]>(TOTALS_SQL, params),
      m.query<{ topic: string; townships: number }[]>(TOP_TOPICS_SQL, params),
    ]);
    return {
      year,
      townships: {
        total: t.townships,
        surveyed: t.surveyed,
        notSurveyed: rows.filter((r) => !r.surveyId).map((r) => ({ orgUnitId: r.orgUnitId, name: r.name })),
      },
      totals: {
        servicePoints: Number(t.servicePoints),
        staffCount: Number(t.staffCount),
        proficiency: {
          none: Number(t.none),
          basic: Number(t.basic),
          intermediate: Number(t.intermediate),
          advanced: Number(t.advanced),
        },
        education: { primary: Number(t.primary), secondary: Number(t.secondary), tertiary: Number(t.tertiary) },
      },
      proficiencyShare: {
        none: Number(t.shareNone),
        basic: Number(t.shareBasic),
        intermediate: Number(t.shareIntermediate),
        advanced: Number(t.shareAdvanced),
      },
      topTopics,
      perTownship: rows.map((r) => ({
        orgUnitId: r.orgUnitId,
        name: r.name,
        surveyed: r.surveyId !== null,
        surveyId: r.surveyId,
        servicePoints: r.servicePoints,
        staffCount: r.staffCount,
        proficiency:
          r.surveyId === null
            ? null
            : { none: r.none!, basic: r.basic!, intermediate: r.intermediate!, advanced: r.advanced! },
        education: r.primary === null ? null : { primary: r.primary, secondary: r.secondary!, tertiary: r.tertiary! },
        topicsWanted: r.topicsWanted,
      })),
    };
  }
}
