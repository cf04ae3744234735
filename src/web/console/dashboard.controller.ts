import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DateTime } from 'luxon';
import type { Language } from '../../common/i18n/i18n.loader';
import { Clock } from '../../common/time/clock';
import { Env } from '../../config/env';
import { type EnrolmentGap, EnrolmentsService } from '../../enrolments/enrolments.service';
import { NotificationsService } from '../../notifications/notifications.service';
import { QuizzesService } from '../../quizzes/quizzes.service';
import type { SummaryReportDto, TownshipFiguresDto, TrendsReportDto } from '../../reports/dto/figures.dto';
import { ReportFiguresService } from '../../reports/report-figures.service';
import { ListVisitsQueryDto } from '../../visits/dto/visit.dto';
import { VisitsService } from '../../visits/visits.service';
import { LocalWords } from '../local-words';
import { type PageContext, PageRenderer } from '../page-renderer';
import { pageContextOf, type PageRequest } from '../web-session.guard';
import { ConsolePages } from './console-pages.decorator';
import { consoleCharts } from './dashboard-charts';
import { parseYear, thisYear, yearChoices } from './console-common';

/** How far ahead a quiz's closing counts as "soon". */
export const QUIZ_SOON_DAYS = 3;
/** Overdue visits, failed messages and closing quizzes listed by name (the rest counted, on their own pages). */
const LISTED = 5;
/** Townships the person-times chart and its table show, most first (a province has hundreds: the reports page has all). */
const TOWNSHIPS_SHOWN = 20;

const DAY_MS = 86_400_000;
/** About the width a chart is shown at beside its table on a 1280 px screen, so its text is not scaled down. */
const CHART_WIDTH = 480;

/**
 * 仪表盘: the admin's year at a glance, from the same services as the API: the summary and the
 * monthly trend of the reports (ReportFiguresService, `/api/reports/summary` and `/trends`:
 * the same numbers), drawn as server-side SVG charts each beside a table of its numbers, and
 * what needs attention now in the admin's part of the tree (townships below a class's minimum
 * while enrolment runs, overdue visits, failed messages, quizzes closing within three days),
 * each linking where it is dealt with. The queries run at once; none runs per item.
 */
@ConsolePages()
@Controller('console')
export class DashboardController {
  constructor(
    private readonly figures: ReportFiguresService,
    private readonly enrolments: EnrolmentsService,
    private readonly visits: VisitsService,
    private readonly notifications: NotificationsService,
    private readonly quizzes: QuizzesService,
    private readonly pages: PageRenderer,
    private readonly words: LocalWords,
    private readonly clock: Clock,
    private readonly env: Env,
  ) {}

  @Get()
  async show(@Req() request: PageRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = pageContextOf(request);
    const { lang } = context;
    const t = (key: string, args = {}) => this.pages.t(lang, `dashboard_${key}`, args);
    const now = this.clock.now();
    const current = thisYear(this.env, this.clock);
    const raw = (request.query as Record<string, unknown> | undefined)?.year;
    const parsed = parseYear(raw);
    const year = parsed === undefined ? current : parsed;
    const base = { title: t('title'), section: 'dashboard' as const };
    if (year === null) {
      const view = {
        ...base,
        years: yearChoices(current, current),
        yearTyped: typeof raw === 'string' ? raw.slice(0, 20) : '',
        yearError: t('err_year'),
      };
      this.pages.send(request, reply, 'console/dashboard', context, view, 400);
      return;
    }
    const actor = request.user!;
    const overdueQuery = Object.assign(new ListVisitsQueryDto(), { page: 1, pageSize: LISTED, status: 'overdue' });
    // The report's two statements one after the other (each reads its own snapshot on up to three
    // connections); the attention queries, one connection each, meanwhile.
    const report = (async () => {
      const figures = await this.figures.figures(actor, { year }, now);
      const trends = await this.figures.trends(actor, { year });
      return { figures, trends };
    })();
    const [{ figures, trends }, gaps, overdue, failed, closing] = await Promise.all([
      report,
      this.enrolments.gapsInScope(actor, now),
      this.visits.list(actor, overdueQuery),
      this.notifications.listForAdmin(actor, { page: 1, pageSize: LISTED, status: 'failed' }),
      this.quizzes.closingSoon(actor, now, new Date(now.getTime() + QUIZ_SOON_DAYS * DAY_MS), LISTED),
    ]);
    const gapClasses = this.gapClasses(gaps, context);
    const attention = {
      gaps: gapClasses,
      gapCount: gaps.length,
      overdue: {
        total: overdue.total,
        items: overdue.items.map((v) => ({
          township: v.township.name,
          classTitle: v.class.title,
          dueOn: this.words.day(v.dueOn, lang, now),
          assignee: v.assignee.displayName,
        })),
      },
      failed: {
        total: failed.total,
        items: failed.items.map((n) => ({
          who: n.displayName,
          channel: this.pages.t(lang, `dashboard_channel_${n.channel}`),
          when: this.words.dayTime(n.failedAt ?? n.createdAt, lang, now),
        })),
      },
      quizzes: {
        total: closing.total,
        items: closing.items.map((q) => ({
          title: q.title,
          classTitle: q.classTitle,
          contest: q.mode === 'contest',
          closesAt: this.words.when(q.closesAt, lang, now),
        })),
      },
    };
    const nothing = gaps.length + overdue.total + failed.total + closing.total === 0;
    const view = {
      ...base,
      year,
      isThisYear: year === current,
      years: yearChoices(current, year),
      unit: figures.summary.orgUnit.name,
      asOf: this.words.dayTime(now, lang, now),
      tiles: this.tiles(figures.summary, lang),
      trend: this.trendChart(trends, lang),
      townships: this.townshipChart(figures.rows, lang),
      attention,
      nothing,
      soonDays: QUIZ_SOON_DAYS,
    };
    this.pages.send(request, reply, 'console/dashboard', context, view);
  }

  /** The plan against actual, one tile each; "actual / target" where the year's plans set one. */
  private tiles(s: SummaryReportDto, lang: Language) {
    const t = (key: string, args = {}) => this.pages.t(lang, `dashboard_${key}`, args);
    const pct = (r: number | null) => (r === null ? null : `${Math.round(r * 1000) / 10}%`);
    return [
      {
        key: 'classes',
        label: t('tile_classes'),
        value: s.classesHeld,
        target: s.targets.classes,
        progress: pct(s.progress.classes),
        note: null,
      },
      { key: 'sessions', label: t('tile_sessions'), value: s.sessionsHeld, target: null, progress: null, note: null },
      {
        key: 'personTimes',
        label: t('tile_personTimes'),
        value: s.personTimes,
        target: s.targets.personTimes,
        progress: pct(s.progress.personTimes),
        note: t('tile_personTimesSplit', {
          attendance: s.personTimesFromAttendance,
          events: s.personTimesFromEvents,
        }),
      },
      {
        key: 'townships',
        label: t('tile_townships'),
        value: s.townshipsCovered ?? 0,
        target: s.townshipsTotal,
        progress: pct(s.townshipCoverage),
        note: null,
      },
      {
        key: 'rotation',
        label: t('tile_rotation'),
        value: pct(s.rotationCoverage) ?? '—',
        target: null,
        progress: null,
        note: t('tile_rotationSplit', { trained: s.rotationTrained, staff: s.rotationStaff }),
      },
      {
        key: 'quizPass',
        label: t('tile_quizPass'),
        value: pct(s.quizPassRate) ?? '—',
        target: null,
        progress: null,
        note: t('tile_quizPassSplit', { passed: s.quizPassed, graded: s.quizGraded }),
      },
      {
        key: 'certificates',
        label: t('tile_certificates'),
        value: s.certificatesIssued,
        target: null,
        progress: null,
        note: null,
      },
      {
        key: 'visits',
        label: t('tile_visits'),
        value: s.visitsDone,
        target: null,
        progress: null,
        note: t('tile_visitsOverdue', { count: s.visitsOverdue }),
      },
    ];
  }

  /** Person-times per local month (training and outreach events), as a line chart and its table. */
  private trendChart(trends: TrendsReportDto, lang: Language) {
    const t = (key: string, args = {}) => this.pages.t(lang, `dashboard_${key}`, args);
    // 3月 / Mar: the catalogue's pattern in Chinese, the month's short name in English.
    const label = (month: number) =>
      lang === 'en' ? DateTime.fromObject({ month }).setLocale('en-GB').toFormat('LLL') : t('month', { month });
    const months = trends.months.map((m) => ({ ...m, label: label(m.month) }));
    const chart = consoleCharts.render(
      {
        categories: months.map((m) => m.label),
        series: [
          { name: t('series_attendance'), values: months.map((m) => m.personTimesFromAttendance) },
          { name: t('series_events'), values: months.map((m) => m.personTimesFromEvents) },
        ],
      },
      { kind: 'line', width: CHART_WIDTH },
    );
    const sum = (k: 'sessionsHeld' | 'personTimesFromAttendance' | 'personTimesFromEvents' | 'personTimes') =>
      months.reduce((a, m) => a + m[k], 0);
    return {
      chart,
      months,
      totals: {
        sessionsHeld: sum('sessionsHeld'),
        personTimesFromAttendance: sum('personTimesFromAttendance'),
        personTimesFromEvents: sum('personTimesFromEvents'),
        personTimes: sum('personTimes'),
      },
    };
  }

  /** Person-times per township, most first (the first TOWNSHIPS_SHOWN), as horizontal bars and a table. */
  private townshipChart(rows: TownshipFiguresDto[], lang: Language) {
    const t = (key: string, args = {}) => this.pages.t(lang, `dashboard_${key}`, args);
    const sorted = [...rows].sort((a, b) => b.personTimes - a.personTimes || a.name.localeCompare(b.name, 'zh-CN'));
    const shown = sorted.slice(0, TOWNSHIPS_SHOWN);
    if (shown.length === 0) return null;
    const chart = consoleCharts.render(
      {
        categories: shown.map((r) => r.name),
        series: [
          { name: t('series_attendance'), values: shown.map((r) => r.personTimesFromAttendance) },
          { name: t('series_events'), values: shown.map((r) => r.personTimesFromEvents) },
        ],
      },
      { kind: 'bar', horizontal: true, width: CHART_WIDTH },
    );
    return {
      chart,
      rows: shown.map((r) => ({
        name: r.name,
        attendance: r.personTimesFromAttendance,
        events: r.personTimesFromEvents,
        personTimes: r.personTimes,
        covered: r.covered,
      })),
      more: rows.length > shown.length ? t('townshipsMore', { shown: shown.length, total: rows.length }) : null,
    };
  }

  /** The townships below the minimum, grouped by class (the query answers them in the class's order). */
  private gapClasses(gaps: EnrolmentGap[], context: PageContext) {
    const byClass = new Map<
      string,
      { id: string; title: string; closesAt: string; min: number; townships: { name: string; confirmed: number }[] }
    >();
    for (const g of gaps) {
      const c = byClass.get(g.classId) ?? {
        id: g.classId,
        title: g.classTitle,
        closesAt: this.words.when(g.closesAt, context.lang),
        min: g.min,
        townships: [],
      };
      c.townships.push({ name: g.townshipName, confirmed: g.confirmed });
      byClass.set(g.classId, c);
    }
    return [...byClass.values()];
  }
}
