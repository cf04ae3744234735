import { Body, Controller, Get, NotFoundException, Param, Query, Req, Res } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../../common/auth/auth-user';
import { DomainError } from '../../common/errors/domain-error';
import { sendAsFile } from '../../common/http/download';
import { Clock } from '../../common/time/clock';
import { localDate } from '../../common/time/zoned-time';
import { Env } from '../../config/env';
import { CreateEventDto, EVENT_KINDS, ListEventsQueryDto, MAX_NOTES, MAX_TITLE } from '../../events/dto/event.dto';
import { EventErrors } from '../../events/events.errors';
import { type EventWithUnit, EventsService } from '../../events/events.service';
import type { OrgUnit } from '../../org-units/org-units.types';
import type { ReportFiguresDto, TownshipReportDto } from '../../reports/dto/figures.dto';
import { ReportFiguresService } from '../../reports/report-figures.service';
import { type ReportFile, ReportsService } from '../../reports/reports.service';
import type { FormFields } from '../forms';
import { LocalWords, percentText } from '../local-words';
import { PageId } from '../page-id.pipe';
import { type PageContext, PageRenderer } from '../page-renderer';
import { FormPost } from '../web-pages.decorator';
import { pageContextOf, type PageRequest } from '../web-session.guard';
import { ConsolePages } from './console-pages.decorator';
import { consolePager, doneNotice, pageParam, parseYear, thisYear, yearChoices } from './console-common';

/** Events per page of the year's list. */
const EVENTS_PAGE_SIZE = 50;

/** The event form's fields, as typed. */
const EVENT_FIELDS = [
  'kind',
  'title',
  'date',
  'orgUnitId',
  'headCount',
  'books',
  'discs',
  'leaflets',
  'notes',
] as const;
type EventField = (typeof EVENT_FIELDS)[number];
type EventForm = Record<EventField, string>;

/** The downloads: which file of which report, each as the API serves it (same services, same names). */
const DOWNLOADS = {
  townships: ['xlsx', 'csv'],
  rotation: ['xlsx', 'csv'],
  annual: ['xlsx'],
} as const;
type Report = keyof typeof DOWNLOADS;

/**
 * 统计与导出 in the console: the township table of a year (ReportFiguresService.townships, as
 * `GET /api/reports/townships?year=`), the year's spreadsheets to download in two clicks from
 * anywhere in the console (menu, then the link), served by the reports module's own export
 * services under Chinese file names (RFC 5987 `filename*`), and the year's outreach events
 * (lectures, screenings…), whose head counts are person-times beside the classes: listed,
 * added, corrected and deleted after a confirmation, with EventsService as `/api/events`.
 */
@ConsolePages()
@Controller('console')
export class ConsoleReportsController {
  constructor(
    private readonly figures: ReportFiguresService,
    private readonly reports: ReportsService,
    private readonly events: EventsService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  @Get('reports')
  async show(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const now = thisYear(this.env, this.clock);
    const year = parseYear(query.year) ?? now;
    const eventsPage = pageParam(query.eventsPage) ?? 1;
    const [table, events] = await Promise.all([
      this.figures.townships(actor, { year }),
      this.events.list(
        actor,
        Object.assign(new ListEventsQueryDto(), { page: eventsPage, pageSize: EVENTS_PAGE_SIZE, year }),
      ),
    ]);
    const done = doneNotice(this.pages, context.lang, 'ops_done_', query.done);
    this.pages.send(request, reply, 'console/reports', context, {
      title: t('ops_reports_title'),
      section: 'reports',
      year,
      unitName: table.orgUnit.name,
      years: yearChoices(now, year),
      done,
      downloads: this.downloads(year, context),
      table: this.townshipTable(table, context),
      asOf: this.words.when(new Date(table.asOf), context.lang),
      events: events.items.map((e) => this.eventRow(e, context)),
      eventsTotal: events.total,
      eventsHeadCount: table.totals.personTimesFromEvents,
      newEvent: `/console/reports/events/new?year=${year}`,
      eventsPager: consolePager('/console/reports', { year }, { name: 'eventsPage', ...events }),
    });
  }

  // ---- downloads ----

  /** A report of the year as a file: `townships` (xlsx, csv), `rotation` (xlsx, csv), `annual` (xlsx). */
  @Get('reports/:report/:format')
  async download(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('report') report: string,
    @Param('format') format: string,
    @Query('year') rawYear?: string,
  ): Promise<void> {
    const formats = (DOWNLOADS as Record<string, readonly string[]>)[report];
    const year = rawYear === undefined ? thisYear(this.env, this.clock) : parseYear(rawYear);
    if (!formats?.includes(format) || year == null) throw new NotFoundException();
    const file = await this.file(request.user!, report as Report, format as 'csv' | 'xlsx', year);
    sendAsFile(reply, file.filename, file.contentType);
    void reply.header('cache-control', 'no-store').send(file.body);
  }

  private file(actor: AuthUser, report: Report, format: 'csv' | 'xlsx', year: number): Promise<ReportFile> {
    switch (report) {
      case 'townships':
        return this.reports.townshipsFile(actor, format, { year });
      case 'rotation':
        return this.reports.rotationFile(actor, format, year);
      case 'annual':
        return this.reports.annualFile(actor, { year });
    }
  }

  private downloads(year: number, context: PageContext) {
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    return (Object.keys(DOWNLOADS) as Report[]).flatMap((report) =>
      DOWNLOADS[report].map((format) => ({
        href: `/console/reports/${report}/${format}?year=${year}`,
        label: t(`ops_download_${report}_${format}`, { year }),
        hint: t(`ops_download_${report}_hint`),
        format: format === 'xlsx' ? 'Excel' : 'CSV',
      })),
    );
  }

  // ---- events ----

  @Get('reports/events/new')
  async newEvent(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Query('year') rawYear?: string,
  ): Promise<void> {
    const today = localDate(this.clock.now(), this.env.TZ_DEFAULT);
    const year = parseYear(rawYear);
    // An event of another year (entered late) starts on that year's first day.
    const date = year == null || year === Number(today.slice(0, 4)) ? today : `${year}-01-01`;
    const form = { ...emptyForm(), kind: 'lecture', date, orgUnitId: request.user!.orgUnitId };
    await this.showEventForm(request, reply, null, form, {}, 200);
  }

  @FormPost('reports/events')
  async create(@Req() request: PageRequest, @Res() reply: FastifyReply, @Body() body: FormFields): Promise<void> {
    const actor = request.user!;
    const form = formOf(body ?? {});
    const { dto, errors } = await this.check(form);
    if (Object.keys(errors).length === 0) {
      try {
        const event = await this.events.create(actor, dto);
        void reply.redirect(`/console/reports?year=${event.date.slice(0, 4)}&done=eventAdded#events`, 303);
        return;
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'ORG_UNIT_NOT_FOUND') throw e;
        errors.orgUnitId = 'ops_event_err_unit';
      }
    }
    await this.showEventForm(request, reply, null, form, errors, 400);
  }

  @Get('reports/events/:id')
  async editEvent(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(EventErrors.notFound)) id: string,
  ): Promise<void> {
    const event = await this.events.get(request.user!, id);
    const form: EventForm = {
      kind: event.kind,
      title: event.title,
      date: event.date,
      orgUnitId: event.orgUnitId,
      headCount: String(event.headCount),
      books: String(event.books),
      discs: String(event.discs),
      leaflets: String(event.leaflets),
      notes: event.notes ?? '',
    };
    await this.showEventForm(request, reply, event, form, {}, 200);
  }

  @FormPost('reports/events/:id')
  async update(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(EventErrors.notFound)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    const actor = request.user!;
    const event = await this.events.get(actor, id);
    const form = formOf(body ?? {});
    const { dto, errors } = await this.check(form);
    if (Object.keys(errors).length === 0) {
      try {
        // Every field, as the form shows them all: an emptied note clears it (null).
        const saved = await this.events.update(actor, event.id, { ...dto, notes: dto.notes ?? null });
        void reply.redirect(`/console/reports?year=${saved.date.slice(0, 4)}&done=eventSaved#events`, 303);
        return;
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'ORG_UNIT_NOT_FOUND') throw e;
        errors.orgUnitId = 'ops_event_err_unit';
      }
    }
    await this.showEventForm(request, reply, event, form, errors, 400);
  }

  /** What deleting the event means, and the button that does it (a GET changes nothing). */
  @Get('reports/events/:id/delete')
  async confirmDelete(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(EventErrors.notFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const event = await this.events.get(request.user!, id);
    this.pages.send(request, reply, 'console/event-delete', context, {
      title: t('ops_event_deleteTitle'),
      section: 'reports',
      event: this.eventRow(event, context),
      text: t('ops_event_deleteText', { title: event.title, count: event.headCount }),
      action: `/console/reports/events/${event.id}/delete`,
      back: `/console/reports?year=${event.date.slice(0, 4)}#events`,
    });
  }

  @FormPost('reports/events/:id/delete')
  async remove(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(EventErrors.notFound)) id: string,
  ): Promise<void> {
    const actor = request.user!;
    const event = await this.events.get(actor, id);
    await this.events.remove(actor, event.id);
    void reply.redirect(`/console/reports?year=${event.date.slice(0, 4)}&done=eventDeleted#events`, 303);
  }

  /** The form checked by the API's CreateEventDto; each problem becomes a catalogue key beside its field. */
  private async check(form: EventForm): Promise<{ dto: CreateEventDto; errors: Partial<Record<EventField, string>> }> {
    const count = (v: string) => (/^\d{1,9}$/.test(v) ? Number(v) : v === '' ? undefined : v);
    const materials = {
      books: count(form.books) ?? 0,
      discs: count(form.discs) ?? 0,
      leaflets: count(form.leaflets) ?? 0,
    };
    const dto = plainToInstance(CreateEventDto, {
      kind: form.kind,
      title: form.title,
      date: form.date,
      orgUnitId: form.orgUnitId,
      headCount: count(form.headCount) ?? null,
      materials,
      notes: form.notes,
    });
    const errors: Partial<Record<EventField, string>> = {};
    const keyOf = (e: ValidationError): string | undefined => {
      const c = e.constraints ?? {};
      switch (e.property) {
        case 'kind':
          return 'ops_event_err_kind';
        case 'title':
          if (c.maxLength) return 'ops_event_err_titleLong';
          if (c.isSingleLine) return 'ops_event_err_titleLines';
          return 'ops_event_err_title';
        case 'date':
          return 'ops_event_err_date';
        case 'orgUnitId':
          return 'ops_event_err_unit';
        case 'headCount':
          return 'ops_event_err_headCount';
        case 'notes':
          return 'ops_event_err_notesLong';
        default:
          return undefined;
      }
    };
    for (const e of await validate(dto, { whitelist: true, forbidNonWhitelisted: true })) {
      if (e.property === 'materials') {
        for (const child of e.children ?? []) errors[child.property as EventField] = 'ops_event_err_material';
        continue;
      }
      const key = keyOf(e);
      if (key) errors[e.property as EventField] = key;
    }
    return { dto, errors };
  }

  private async showEventForm(
    request: PageRequest,
    reply: FastifyReply,
    event: EventWithUnit | null,
    form: EventForm,
    errorKeys: Partial<Record<EventField, string>>,
    status: number,
  ): Promise<void> {
    const context = pageContextOf(request);
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const units = await this.events.unitsInScope(request.user!);
    const errors = Object.fromEntries(
      Object.entries(errorKeys).map(([field, key]) => [
        field,
        t(key, { max: field === 'title' ? MAX_TITLE : MAX_NOTES }),
      ]),
    );
    const year = (form.date.match(/^\d{4}/)?.[0] ?? '') || String(thisYear(this.env, this.clock));
    this.pages.send(
      request,
      reply,
      'console/event-form',
      context,
      {
        title: t(event ? 'ops_event_editTitle' : 'ops_event_newTitle'),
        section: 'reports',
        action: event ? `/console/reports/events/${event.id}` : '/console/reports/events',
        values: form,
        errors,
        errorCount: Object.keys(errors).length,
        kinds: EVENT_KINDS.map((k) => ({ value: k, label: t(`ops_event_kind_${k}`), selected: k === form.kind })),
        units: unitChoices(units, form.orgUnitId),
        back: `/console/reports?year=${event ? event.date.slice(0, 4) : year}#events`,
        deleteHref: event ? `/console/reports/events/${event.id}/delete` : null,
      },
      status,
    );
  }

  // ---- shaping ----

  private townshipTable(report: TownshipReportDto, context: PageContext) {
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const percent = (r: number | null) => (r === null ? '—' : `${percentText(r * 100)}%`);
    const figures = (f: ReportFiguresDto) => [
      f.classesHeld,
      f.sessionsHeld,
      f.personTimesFromAttendance,
      f.personTimesFromEvents,
      f.personTimes,
      f.uniqueTrainees,
      percent(f.rotationCoverage),
      f.certificatesIssued,
      f.visitsDone,
      f.visitsOverdue,
    ];
    const counties = new Set(report.items.map((r) => r.parentName));
    const withCounty = counties.size > 1;
    const totals = report.totals;
    return {
      caption: t('ops_reports_tableCaption', { unit: report.orgUnit.name, year: report.year }),
      withCounty,
      headers: FIGURE_HEADERS.map((key) => t(key)),
      rows: report.items.map((r) => ({
        name: r.name,
        county: r.parentName ?? '',
        covered: t(r.covered ? 'ops_reports_coveredYes' : 'ops_reports_coveredNo'),
        coveredBadge: r.covered ? 'badge_ok' : 'badge_warn',
        cells: figures(r),
      })),
      outside: report.personTimesFromEventsOutsideTownships
        ? t('ops_reports_outside', { count: report.personTimesFromEventsOutsideTownships })
        : null,
      totals: {
        covered:
          totals.townshipsTotal === null
            ? '—'
            : t('ops_reports_coveredOf', { covered: totals.townshipsCovered ?? 0, total: totals.townshipsTotal }),
        cells: figures(totals),
      },
      empty: report.items.length === 0,
    };
  }

  private eventRow(e: EventWithUnit, context: PageContext) {
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    return {
      id: e.id,
      date: this.words.dayWithYear(e.date, context.lang),
      kind: t(`ops_event_kind_${e.kind}`),
      title: e.title,
      unit: e.orgUnit.name,
      headCount: e.headCount,
      edit: `/console/reports/events/${e.id}`,
      remove: `/console/reports/events/${e.id}/delete`,
      editLabel: t('ops_event_editOne', { title: e.title }),
      removeLabel: t('ops_event_deleteOne', { title: e.title }),
    };
  }
}

/** The township table's figure columns (after the township, before 是否覆盖, in this order). */
const FIGURE_HEADERS = [
  'ops_reports_col_classes',
  'ops_reports_col_sessions',
  'ops_reports_col_attendance',
  'ops_reports_col_events',
  'ops_reports_col_personTimes',
  'ops_reports_col_trainees',
  'ops_reports_col_rotation',
  'ops_reports_col_certificates',
  'ops_reports_col_visitsDone',
  'ops_reports_col_visitsOverdue',
];

function emptyForm(): EventForm {
  return Object.fromEntries(EVENT_FIELDS.map((f) => [f, ''])) as EventForm;
}

/** The posted fields as typed (text; trimmed except the notes). */
function formOf(body: FormFields): EventForm {
  const form = emptyForm();
  for (const field of EVENT_FIELDS) {
    const value = typeof body[field] === 'string' ? body[field] : '';
    form[field] = field === 'notes' ? value : value.trim();
  }
  return form;
}

/** The units an event may belong to, in tree order by name, a village under its township (`甲一镇 · 甲一村`). */
function unitChoices(units: OrgUnit[], chosen: string): { value: string; label: string; selected: boolean }[] {
  const byId = new Map(units.map((u) => [u.id, u]));
  const chain = (u: OrgUnit): string[] => {
    const names: string[] = [];
    for (let x: OrgUnit | undefined = u; x; x = x.parentId ? byId.get(x.parentId) : undefined) names.unshift(x.name);
    return names;
  };
  const compare = (a: string[], b: string[]): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const order = a[i].localeCompare(b[i], 'zh-CN');
      if (order !== 0) return order;
    }
    return a.length - b.length;
  };
  return units
    .map((u) => ({ u, names: chain(u) }))
    .sort((a, b) => compare(a.names, b.names))
    .map(({ u, names }) => ({
      value: u.id,
      label: u.kind === 'village' && names.length > 1 ? names.slice(-2).join(' · ') : u.name,
      selected: u.id === chosen,
    }));
}
