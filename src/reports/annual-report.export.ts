import ExcelJS from 'exceljs';
import type { ClassStatus } from '../classes/classes.types';
import type { EventDto } from '../events/dto/event.dto';
import type { VisitDto } from '../visits/dto/visit.dto';
import type { AnnualClassRow, AnnualEventRow, AnnualVisitRow } from './annual-report.sql';
import type { SummaryReportDto, TownshipReportDto } from './dto/figures.dto';
import { forPrinting } from './spreadsheet-cells';
import {
  addTownshipSheet,
  type Cell,
  type CellKind,
  COUNT_FORMAT,
  periodLine,
  RATIO_FORMAT,
} from './township-report.export';

/** What the annual workbook holds: the year's township report, its four quarters, and the year's lists. */
export interface AnnualReport {
  year: TownshipReportDto;
  quarters: SummaryReportDto[];
  classes: AnnualClassRow[];
  events: AnnualEventRow[];
  visits: AnnualVisitRow[];
}

/** The words the rest of the product shows for these values (the event import, the visits export, the status words). */
const EVENT_KIND_ZH: Record<EventDto['kind'], string> = {
  lecture: '讲座',
  screening: '放映',
  outreach: '文化下乡',
  guidance: '现场指导',
  other: '其他',
};
const VISIT_STATUS_ZH: Record<VisitDto['status'], string> = {
  assigned: '待回访',
  overdue: '已逾期',
  done: '已完成',
  cancelled: '已取消',
};
const CLASS_STATUS_ZH: Record<ClassStatus, string> = {
  draft: '草稿',
  open: '报名中',
  running: '进行中',
  completed: '已完成',
  cancelled: '已取消',
};
const zh = (words: Record<string, string>, value: string): string => words[value] ?? value;

type Figure = (s: SummaryReportDto) => number | null;

/** The lines of 汇总: each figure of the summary, with the year's target and progress where the plans set one. */
const SUMMARY_LINES: { label: string; kind: CellKind; value: Figure; target?: Figure; progress?: Figure }[] = [
  {
    label: '培训班期数',
    kind: 'count',
    value: (s) => s.classesHeld,
    target: (s) => s.targets.classes,
    progress: (s) => s.progress.classes,
  },
  { label: '培训场次', kind: 'count', value: (s) => s.sessionsHeld },
  { label: '培训人次（出勤）', kind: 'count', value: (s) => s.personTimesFromAttendance },
  { label: '活动人次', kind: 'count', value: (s) => s.personTimesFromEvents },
  {
    label: '合计人次',
    kind: 'count',
    value: (s) => s.personTimes,
    target: (s) => s.targets.personTimes,
    progress: (s) => s.progress.personTimes,
  },
  { label: '参训人数', kind: 'count', value: (s) => s.uniqueTrainees },
  { label: '覆盖乡镇数', kind: 'count', value: (s) => s.townshipsCovered },
  { label: '乡镇总数', kind: 'count', value: (s) => s.townshipsTotal },
  { label: '乡镇覆盖率', kind: 'ratio', value: (s) => s.townshipCoverage },
  { label: '在册学员', kind: 'count', value: (s) => s.rotationStaff },
  { label: '已轮训', kind: 'count', value: (s) => s.rotationTrained },
  { label: '轮训覆盖率', kind: 'ratio', value: (s) => s.rotationCoverage },
  { label: '测验人次', kind: 'count', value: (s) => s.quizGraded },
  { label: '测验通过人次', kind: 'count', value: (s) => s.quizPassed },
  { label: '测验通过率', kind: 'ratio', value: (s) => s.quizPassRate },
  { label: '发证数', kind: 'count', value: (s) => s.certificatesIssued },
  { label: '回访完成', kind: 'count', value: (s) => s.visitsDone },
  { label: '回访逾期', kind: 'count', value: (s) => s.visitsOverdue },
];

export const SUMMARY_HEADER = ['指标', '全年', '年度目标', '完成进度', '第1季度', '第2季度', '第3季度', '第4季度'];
export const CLASSES_HEADER = [
  '培训班',
  '课程',
  '计入季度',
  '首次上课',
  '最后上课',
  '上课次数',
  '到课学员',
  '培训人次',
  '到课乡镇数',
  '状态',
];
export const EVENTS_HEADER = [
  '日期',
  '类型',
  '活动名称',
  '举办单位',
  '参加人数',
  '图书（册）',
  '光盘（张）',
  '宣传资料（份）',
  '备注',
];
export const VISITS_HEADER = ['乡镇', '班级', '回访人', '截止日期', '状态', '回访日期', '问题', '回访情况'];

const SUMMARY_NOTE =
  '说明：各指标的含义同“乡镇统计”表的说明。培训班期数按首次上课的季度计入，四个季度之和等于全年；' +
  '参训人数、覆盖乡镇数按各季度分别计，不能相加；轮训各季度为截至季末的累计数。' +
  '年度目标为本单位当年培训计划目标之和，完成进度 = 全年数 ÷ 年度目标。';
const CLASSES_NOTE =
  '说明：列出首次上课在本年度的培训班（跨年度的班计入开班的年度），计入季度为首次上课所在季度；' +
  '上课次数、到课学员、培训人次为该班截至统计时间的全部已上课次（未取消、已开始），含跨入次年的部分，' +
  '而汇总表按上课日期所在期间计（上年开班、本年上课的人次也在内），所以两处合计可以不同；' +
  '乡镇、村级单位只计本单位学员到过的课和本单位学员。';

/** Title and period rows, then the header (row 3, frozen); answers the sheet. */
function listSheet(
  workbook: ExcelJS.Workbook,
  name: string,
  title: string,
  report: TownshipReportDto,
  header: string[],
  widths: number[],
): ExcelJS.Worksheet {
  const sheet = workbook.addWorksheet(name);
  sheet.addRow([title]).font = { bold: true, size: 14 };
  sheet.addRow([periodLine(report)]);
  sheet.addRow(header).font = { bold: true };
  widths.forEach((width, i) => (sheet.getColumn(i + 1).width = width));
  forPrinting(sheet, 'landscape', 3);
  return sheet;
}

/** The line saying a list was cut at the limit, when it was. */
function cutLine(sheet: ExcelJS.Worksheet, shown: number, total: number): void {
  if (total <= shown) return;
  sheet.addRow([
    `（列表过长，仅列出前 ${shown.toLocaleString('en-US')} 条，共 ${total.toLocaleString('en-US')} 条；合计行为全部 ${total.toLocaleString('en-US')} 条之和）`,
  ]).font = { italic: true };
}

function note(sheet: ExcelJS.Worksheet, text: string, columns: number): void {
  sheet.addRow([]);
  const row = sheet.addRow([text]);
  sheet.mergeCells(row.number, 1, row.number, columns);
  row.alignment = { wrapText: true, vertical: 'top' };
  row.height = 48;
}

function formatColumns(sheet: ExcelJS.Worksheet, kinds: CellKind[]): void {
  kinds.forEach((kind, i) => {
    if (kind !== 'text') sheet.getColumn(i + 1).numFmt = kind === 'ratio' ? RATIO_FORMAT : COUNT_FORMAT;
  });
}

function summarySheet(workbook: ExcelJS.Workbook, report: AnnualReport): void {
  const year = report.year.totals;
  const sheet = listSheet(
    workbook,
    '汇总',
    `${report.year.orgUnit.name}${report.year.year}年度培训工作统计`,
    report.year,
    SUMMARY_HEADER,
    [18, 12, 12, 12, 12, 12, 12, 12],
  );
  for (const line of SUMMARY_LINES) {
    const cells: Cell[] = [
      line.label,
      line.value(year),
      line.target?.(year) ?? null,
      line.progress?.(year) ?? null,
      ...report.quarters.map((q) => line.value(q)),
    ];
    const row = sheet.addRow(cells);
    row.eachCell((cell, column) => {
      if (column === 1) return;
      cell.numFmt = column === 4 || line.kind === 'ratio' ? RATIO_FORMAT : COUNT_FORMAT;
    });
  }
  note(sheet, SUMMARY_NOTE, SUMMARY_HEADER.length);
}

function classesSheet(workbook: ExcelJS.Workbook, report: AnnualReport): void {
  const { orgUnit, year } = report.year;
  const sheet = listSheet(
    workbook,
    '培训班',
    `${orgUnit.name}${year}年度培训班`,
    report.year,
    CLASSES_HEADER,
    [30, 24, 9, 12, 12, 9, 9, 9, 10, 9],
  );
  for (const c of report.classes) {
    sheet.addRow([
      c.title,
      c.courseTitle,
      `第${c.quarter}季度`,
      c.firstDate,
      c.lastDate,
      c.sessionsHeld,
      c.trainees,
      c.personTimes,
      c.townships,
      zh(CLASS_STATUS_ZH, c.status),
    ]);
  }
  const first = report.classes[0];
  const total = first?.total ?? 0;
  sheet.addRow([
    `合计（${total} 期）`,
    null,
    null,
    null,
    null,
    first?.totalSessions ?? 0,
    null,
    first?.totalPersonTimes ?? 0,
  ]).font = { bold: true };
  cutLine(sheet, report.classes.length, total);
  formatColumns(sheet, ['text', 'text', 'text', 'text', 'text', 'count', 'count', 'count', 'count', 'text']);
  note(sheet, CLASSES_NOTE, CLASSES_HEADER.length);
}

function eventsSheet(workbook: ExcelJS.Workbook, report: AnnualReport): void {
  const { orgUnit, year } = report.year;
  const sheet = listSheet(
    workbook,
    '活动',
    `${orgUnit.name}${year}年度阅读推广活动`,
    report.year,
    EVENTS_HEADER,
    [12, 10, 30, 16, 10, 10, 10, 12, 30],
  );
  for (const e of report.events) {
    sheet.addRow([
      e.date,
      zh(EVENT_KIND_ZH, e.kind),
      e.title,
      e.unitName,
      e.headCount,
      e.books,
      e.discs,
      e.leaflets,
      e.notes,
    ]);
  }
  const first = report.events[0];
  const total = first?.total ?? 0;
  sheet.addRow([
    `合计（${total} 场）`,
    null,
    null,
    null,
    first?.totalHeadCount ?? 0,
    first?.totalBooks ?? 0,
    first?.totalDiscs ?? 0,
    first?.totalLeaflets ?? 0,
  ]).font = { bold: true };
  cutLine(sheet, report.events.length, total);
  formatColumns(sheet, ['text', 'text', 'text', 'text', 'count', 'count', 'count', 'count', 'text']);
}

function visitsSheet(workbook: ExcelJS.Workbook, report: AnnualReport): void {
  const { orgUnit, year } = report.year;
  const sheet = listSheet(
    workbook,
    '回访',
    `${orgUnit.name}${year}年度培训回访`,
    report.year,
    VISITS_HEADER,
    [14, 30, 12, 12, 10, 12, 30, 40],
  );
  for (const v of report.visits) {
    sheet.addRow([
      v.township,
      v.classTitle,
      v.assignee,
      v.dueOn,
      zh(VISIT_STATUS_ZH, v.status),
      v.visitedOn,
      v.problems,
      v.notes,
    ]);
  }
  cutLine(sheet, report.visits.length, report.visits[0]?.total ?? 0);
}

/**
 * The annual workbook a county sends upward: 汇总 (the year's figures beside the targets, and
 * each quarter), 乡镇统计 (the township table of the year), 培训班 (the classes held), 活动 (the
 * outreach events) and 回访 (the follow-up visits). Every list stops at ANNUAL_LIST_LIMIT rows
 * with a line saying so. Text is written as text cells, never as formulas.
 */
export async function annualReportXlsx(report: AnnualReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  summarySheet(workbook, report);
  addTownshipSheet(workbook, '乡镇统计', report.year);
  classesSheet(workbook, report);
  eventsSheet(workbook, report);
  visitsSheet(workbook, report);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
