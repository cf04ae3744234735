import { Body, Controller, Get, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { DomainError, ERROR_KIND_STATUS } from '../../common/errors/domain-error';
import type { Language } from '../../common/i18n/i18n.loader';
import { Clock } from '../../common/time/clock';
import { Env } from '../../config/env';
import {
  CreateSurveyDto,
  MAX_COUNT,
  MAX_TOPICS,
  type SurveySummaryDto,
  UpdateSurveyDto,
} from '../../surveys/dto/survey.dto';
import { SurveyErrors } from '../../surveys/surveys.errors';
import { type SurveyWithUnit, SurveysService } from '../../surveys/surveys.service';
import type { FormFields } from '../forms';
import { type PageContext, PageRenderer } from '../page-renderer';
import { PageId } from '../page-id.pipe';
import { FormPost } from '../web-pages.decorator';
import { pageContextOf, type PageRequest } from '../web-session.guard';
import { ConsolePages } from './console-pages.decorator';
import { consoleCharts } from './dashboard-charts';
import { surveyBodyOf, type SurveyFormValues, surveyValuesOf, topicsOf } from './dashboard-forms';
import { doneNotice, parseYear, thisYear, YEAR_RANGE, yearChoices } from './console-common';

const PROFICIENCY = ['none', 'basic', 'intermediate', 'advanced'] as const;
const EDUCATION = ['primary', 'secondary', 'tertiary'] as const;
/** About the width a chart is shown at in its panel on a 1280 px screen, so its text is not scaled down. */
const CHART_WIDTH = 460;

/** Where each error of the form goes: a field's id (the error is shown beside it). */
type FieldName = keyof SurveyFormValues | 'proficiency' | 'education';

/** The form as a page shows it: what was typed, and the words of what is wrong with which field. */
interface SurveyForm {
  values: SurveyFormValues;
  errors: Partial<Record<FieldName, string>>;
  /** A refusal of the service that belongs to no one field (a survey already there), in words. */
  refusal?: { message: string; next: string; existingId?: string };
}

/**
 * 调查: the year's needs surveys across the admin's part of the tree (SurveysService.summary,
 * as `GET /api/surveys/summary`): who is surveyed, the proficiency and education mix and the
 * topics wanted as charts with their tables; and the survey form, to enter a township's survey
 * (SurveysService.create, `POST /api/surveys`) or correct one (SurveysService.update, `PATCH
 * /api/surveys/:id`). The fields are checked with the API's own DTOs; every problem comes back
 * beside its field in words, with everything typed kept. One survey per township and year: a
 * second is refused (SURVEY_EXISTS), and the page offers to correct the one there instead.
 */
@ConsolePages()
@Controller('console/surveys')
export class SurveysPagesController {
  constructor(
    private readonly surveys: SurveysService,
    private readonly pages: PageRenderer,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  @Get()
  async summary(@Req() request: PageRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = pageContextOf(request);
    const t = (key: string, args = {}) => this.pages.t(context.lang, `dashboard_${key}`, args);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const current = thisYear(this.env, this.clock);
    const parsed = parseYear(query.year);
    const year = parsed === undefined ? current : parsed;
    const base = { title: t('surveysTitle'), section: 'surveys' as const };
    if (year === null) {
      const view = { ...base, years: yearChoices(current, current), yearError: t('err_year') };
      this.pages.send(request, reply, 'console/surveys', context, view, 400);
      return;
    }
    const summary = await this.surveys.summary(request.user!, year);
    const view = {
      ...base,
      year,
      years: yearChoices(current, year),
      done: doneNotice(this.pages, context.lang, 'dashboard_surveyDone_', query.done),
      ...this.summaryView(summary, context.lang),
    };
    this.pages.send(request, reply, 'console/surveys', context, view);
  }

  @Get('new')
  async newForm(@Req() request: PageRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = pageContextOf(request);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const year = parseYear(query.year) ?? thisYear(this.env, this.clock);
    const orgUnitId = typeof query.orgUnitId === 'string' ? query.orgUnitId : '';
    const summary = await this.surveys.summary(request.user!, year);
    // A township named in the address must be one of the admin's: another's is not there to survey.
    if (orgUnitId && !summary.perTownship.some((p) => p.orgUnitId === orgUnitId)) throw new NotFoundException();
    const values = { ...surveyValuesOf({}), orgUnitId, year: String(year) };
    await this.sendForm(request, reply, context, { values, errors: {} }, 200, { summary });
  }

  @FormPost('')
  async create(@Req() request: PageRequest, @Res() reply: FastifyReply, @Body() body: FormFields): Promise<void> {
    const context = pageContextOf(request);
    const form: SurveyForm = { values: surveyValuesOf(body ?? {}), errors: {} };
    const dto = plainToInstance(CreateSurveyDto, surveyBodyOf(form.values));
    this.collect(form, await validate(dto, { whitelist: true, forbidNonWhitelisted: true }), context.lang);
    let status = 400;
    if (Object.keys(form.errors).length === 0) {
      try {
        const saved = await this.surveys.create(request.user!, dto);
        void reply.redirect(`/console/surveys?year=${saved.year}&done=created`, 303);
        return;
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        status = this.refused(form, e, context.lang);
      }
    }
    await this.sendForm(request, reply, context, form, status);
  }

  @Get(':id/edit')
  async editForm(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(SurveyErrors.notFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const survey = await this.surveys.getInScope(request.user!, id);
    await this.sendForm(request, reply, context, { values: valuesOfSurvey(survey), errors: {} }, 200, { survey });
  }

  @FormPost(':id')
  async update(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(SurveyErrors.notFound)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const survey = await this.surveys.getInScope(actor, id);
    // The township and year stay as they are (the API's PATCH takes neither).
    const values = { ...surveyValuesOf(body ?? {}), orgUnitId: survey.orgUnitId, year: String(survey.year) };
    const form: SurveyForm = { values, errors: {} };
    const { orgUnitId: _unit, year: _year, ...fields } = surveyBodyOf(values);
    const dto = plainToInstance(UpdateSurveyDto, fields);
    // Every field is asked for again: a correction that empties a count is a mistake, not "leave as it is".
    const missing = plainToInstance(CreateSurveyDto, { ...fields, orgUnitId: survey.orgUnitId, year: survey.year });
    this.collect(form, await validate(missing, { whitelist: true, forbidNonWhitelisted: true }), context.lang);
    let status = 400;
    if (Object.keys(form.errors).length === 0) {
      try {
        await this.surveys.update(actor, survey.id, dto);
        void reply.redirect(`/console/surveys?year=${survey.year}&done=updated`, 303);
        return;
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        status = this.refused(form, e, context.lang);
      }
    }
    await this.sendForm(request, reply, context, form, status, { survey });
  }

  // ---- the form ----

  private async sendForm(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    form: SurveyForm,
    status: number,
    loaded: { summary?: SurveySummaryDto; survey?: SurveyWithUnit } = {},
  ): Promise<void> {
    const t = (key: string, args = {}) => this.pages.t(context.lang, `dashboard_${key}`, args);
    const editing = loaded.survey;
    const year = parseYear(form.values.year) ?? thisYear(this.env, this.clock);
    // The townships to choose from, each marked when it already has a survey of the year.
    const summary = editing ? undefined : (loaded.summary ?? (await this.surveys.summary(request.user!, year)));
    const townships = (summary?.perTownship ?? []).map((p) => ({
      id: p.orgUnitId,
      name: p.surveyed ? t('townshipSurveyed', { name: p.name }) : p.name,
      selected: p.orgUnitId === form.values.orgUnitId,
    }));
    const errorCount = Object.keys(form.errors).length;
    const view = {
      title: editing ? t('editTitle', { township: editing.orgUnit.name, year: editing.year }) : t('newTitle'),
      section: 'surveys' as const,
      editing: editing && { township: editing.orgUnit.name, year: editing.year },
      action: editing ? `/console/surveys/${editing.id}` : '/console/surveys',
      back: `/console/surveys?year=${editing?.year ?? year}`,
      townships,
      values: form.values,
      errors: form.errors,
      errorCount,
      refusal: form.refusal,
      yearMin: YEAR_RANGE.min,
      yearMax: YEAR_RANGE.max,
      maxCount: MAX_COUNT,
      proficiency: PROFICIENCY.map((k) => this.countField(k, form, t(`level_${k}`))),
      education: EDUCATION.map((k) => this.countField(k, form, t(`education_${k}`))),
    };
    this.pages.send(request, reply, 'console/survey-form', context, view, status);
  }

  private countField(name: keyof SurveyFormValues, form: SurveyForm, label: string) {
    return { name, label, value: form.values[name], error: form.errors[name] };
  }

  /** The DTO's findings as words beside their fields (the first per field). */
  private collect(form: SurveyForm, errors: ValidationError[], lang: Language): void {
    const t = (key: string, args = {}) => this.pages.t(lang, `dashboard_${key}`, args);
    const put = (field: FieldName, key: string, args = {}) => {
      form.errors[field] ??= t(key, args);
    };
    // Nested counts (proficiency.none…) are named by their own field: the form's ids are flat.
    const walk = (list: ValidationError[]) => {
      for (const e of list) {
        if (e.children?.length) walk(e.children);
        if (!e.constraints) continue;
        const field = e.property;
        const c = e.constraints;
        switch (field) {
          case 'orgUnitId':
            put('orgUnitId', 'err_township');
            break;
          case 'year':
            put('year', 'err_year');
            break;
          case 'topicsWanted':
            if (c.arrayMaxSize) put('topics', 'err_topicsMany', { max: MAX_TOPICS });
            else if (c.arrayUnique)
              put('topics', 'err_topicsRepeated', { topics: repeated(topicsOf(form.values.topics)) });
            else put('topics', 'err_topicLong');
            break;
          case 'notes':
            put('notes', 'err_notesLong');
            break;
          case 'proficiency':
          case 'education':
            put(field, 'err_countsMissing');
            break;
          default:
            if (field in form.values) {
              put(field as keyof SurveyFormValues, c.isDefined || c.isInt ? 'err_count' : 'err_countRange', {
                max: MAX_COUNT,
              });
            }
        }
      }
    };
    walk(errors);
  }

  /** A service's refusal in words: beside its field where it has one, else above the form. Answers the page's status. */
  private refused(form: SurveyForm, e: DomainError, lang: Language): number {
    const message = this.pages.errorMessage(lang, e);
    if (e.code === 'SURVEY_COUNTS_EXCEED_STAFF') {
      form.errors[e.messageKey.endsWith('#education') ? 'education' : 'proficiency'] = message;
      return 400;
    }
    if (e.code === 'SURVEY_UNIT_NOT_TOWNSHIP' || e.code === 'ORG_UNIT_NOT_FOUND') {
      form.errors.orgUnitId = message;
      return 400;
    }
    const { next } = this.pages.refusal(lang, e, 'dashboard_');
    const existingId = e.code === 'SURVEY_EXISTS' ? (e.details?.surveyId as string | undefined) : undefined;
    form.refusal = { message, next, existingId };
    return ERROR_KIND_STATUS[e.kind];
  }

  // ---- the summary ----

  private summaryView(s: SurveySummaryDto, lang: Language) {
    const t = (key: string, args = {}) => this.pages.t(lang, `dashboard_${key}`, args);
    const pct = (share: number) => `${Math.round(share * 1000) / 10}%`;
    const staffInMix = PROFICIENCY.reduce((a, k) => a + s.totals.proficiency[k], 0);
    const educated = EDUCATION.reduce((a, k) => a + s.totals.education[k], 0);
    const proficiency = PROFICIENCY.map((k) => ({
      label: t(`level_${k}`),
      count: s.totals.proficiency[k],
      share: pct(s.proficiencyShare[k]),
    }));
    const education = EDUCATION.map((k) => ({
      label: t(`education_${k}`),
      count: s.totals.education[k],
      share: pct(educated ? s.totals.education[k] / educated : 0),
    }));
    const countSeries = (rows: { label: string; count: number }[]) => ({
      categories: rows.map((r) => r.label),
      series: [{ name: t('staffSeries'), values: rows.map((r) => r.count) }],
    });
    return {
      townshipsTotal: s.townships.total,
      surveyed: s.townships.surveyed,
      servicePoints: s.totals.servicePoints,
      staffCount: s.totals.staffCount,
      notSurveyed: s.townships.notSurveyed,
      proficiency,
      proficiencyChart: staffInMix
        ? consoleCharts.render(countSeries(proficiency), { kind: 'pie', width: CHART_WIDTH })
        : null,
      education,
      educationChart: educated
        ? consoleCharts.render(countSeries(education), { kind: 'bar', width: CHART_WIDTH })
        : null,
      topics: s.topTopics,
      topicsChart: s.topTopics.length
        ? consoleCharts.render(
            {
              categories: s.topTopics.map((x) => x.topic),
              series: [{ name: t('topicSeries'), values: s.topTopics.map((x) => x.townships) }],
            },
            { kind: 'bar', horizontal: true, width: CHART_WIDTH },
          )
        : null,
      perTownship: s.perTownship.map((p) => ({
        id: p.orgUnitId,
        name: p.name,
        surveyed: p.surveyed,
        surveyId: p.surveyId,
        servicePoints: p.servicePoints,
        staffCount: p.staffCount,
        topics: p.topicsWanted.join(this.pages.t(lang, 'LIST_SEPARATOR')),
      })),
    };
  }
}

/** A stored survey as the form's text fields. */
function valuesOfSurvey(s: SurveyWithUnit): SurveyFormValues {
  const text = (n: number | null) => (n === null ? '' : String(n));
  return {
    orgUnitId: s.orgUnitId,
    year: String(s.year),
    servicePoints: text(s.servicePoints),
    staffCount: text(s.staffCount),
    none: text(s.proficiencyNone),
    basic: text(s.proficiencyBasic),
    intermediate: text(s.proficiencyIntermediate),
    advanced: text(s.proficiencyAdvanced),
    primary: text(s.educationPrimary),
    secondary: text(s.educationSecondary),
    tertiary: text(s.educationTertiary),
    topics: s.topicsWanted.join('、'),
    notes: s.notes ?? '',
  };
}

/** The topics named more than once (case-folded, as the DTO compares them), each once, as typed first. */
function repeated(topics: string[]): string {
  const seen = new Map<string, string>();
  const twice = new Map<string, string>();
  for (const topic of topics) {
    const key = topic.toLowerCase();
    if (seen.has(key)) twice.set(key, seen.get(key)!);
    else seen.set(key, topic);
  }
  return [...twice.values()].join('、');
}
