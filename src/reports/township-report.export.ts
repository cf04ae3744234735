import ExcelJS from 'exceljs';
import type { ReportFiguresDto, SummaryReportDto, TownshipFiguresDto, TownshipReportDto } from './dto/figures.dto';
import { csvFile, forPrinting } from './spreadsheet-cells';

/** How a column is written: text, a whole number (`#,##0`), or a 0..1 ratio (`0.0%`). */
export type CellKind = 'text' | 'count' | 'ratio';
export type Cell = string | number | null;

export const COUNT_FORMAT = '#,##0';
export const RATIO_FORMAT = '0.0%';

/** The columns of the township table, one per figure (docs/reports.md defines each). */
const FIGURE_COLUMNS: { header: string; key: keyof ReportFiguresDto | 'covered'; kind: CellKind }[] = [
  { header: '培训班期数', key: 'classesHeld', kind: 'count' },
  { header: '培训场次', key: 'sessionsHeld', kind: 'count' },
  { header: '培训人次（出勤）', key: 'personTimesFromAttendance', kind: 'count' },
  { header: '活动人次', key: 'personTimesFromEvents', kind: 'count' },
  { header: '合计人次', key: 'personTimes', kind: 'count' },
  { header: '参训人数', key: 'uniqueTrainees', kind: 'count' },
  { header: '是否覆盖', key: 'covered', kind: 'text' },
  { header: '在册学员', key: 'rotationStaff', kind: 'count' },
  { header: '已轮训', key: 'rotationTrained', kind: 'count' },
  { header: '轮训覆盖率', key: 'rotationCoverage', kind: 'ratio' },
  { header: '测验人次', key: 'quizGraded', kind: 'count' },
  { header: '测验通过人次', key: 'quizPassed', kind: 'count' },
  { header: '测验通过率', key: 'quizPassRate', kind: 'ratio' },
  { header: '发证数', key: 'certificatesIssued', kind: 'count' },
  { header: '回访完成', key: 'visitsDone', kind: 'count' },
  { header: '回访逾期', key: 'visitsOverdue', kind: 'count' },
];

export const TOWNSHIP_REPORT_HEADER = ['所属县', '乡镇', ...FIGURE_COLUMNS.map((c) => c.header)];
const KINDS: CellKind[] = ['text', 'text', ...FIGURE_COLUMNS.map((c) => c.kind)];

export const TOWNSHIP_REPORT_NOTE =
  '说明：各数字均在统计时间从记录实时计算。培训班期数为首次上课在本期间的培训班（跨期的班只计一次）；' +
  '乡镇行的期数、场次为本乡镇学员到过课的班和场次，合计行为本单位计划的全部班和场次，不是各乡镇之和。' +
  '培训人次为出勤（出席、迟到）人次；活动人次为讲座、放映等活动的参加人数；参训人数为期间内至少出勤一次的学员。' +
  '是否覆盖：本期间开班的培训班中至少有一个班，本乡镇到课学员达到该班每乡镇最低人数。' +
  '在册学员为乡镇及所辖村在用的学员账号，已轮训为结业过当年计划培训班的学员（季度为截至季末累计）。' +
  '测验按每名学员每个测验的最终成绩计；回访逾期为本期间到期、至今未完成的回访。';

/** `2026年第2季度`, or `2026年` for the whole year. */
export function periodName(year: number, quarter: number | null): string {
  return quarter ? `${year}年第${quarter}季度` : `${year}年`;
}

/** `统计期间：… 至 …  统计时间：…` (asOf as the local wall clock it was written in), an ideographic space between. */
export function periodLine(report: { from: string; to: string; asOf: string }): string {
  return `统计期间：${report.from} 至 ${report.to}\u3000统计时间：${report.asOf.slice(0, 16).replace('T', ' ')}`;
}

/** The line of events held by units above the townships: in the totals, in no township. */
function outsideLabel(kind: string): string {
  if (kind === 'province') return '省、市、县本级活动（不分乡镇）';
  if (kind === 'city') return '市、县本级活动（不分乡镇）';
  return '县本级活动（不分乡镇）';
}

function figureCells(f: ReportFiguresDto, covered: Cell): Cell[] {
  return FIGURE_COLUMNS.map((c) => (c.key === 'covered' ? covered : f[c.key]));
}

function townshipCells(r: TownshipFiguresDto): Cell[] {
  return [r.parentName, r.name, ...figureCells(r, r.covered ? '是' : '否')];
}

function totalsCells(s: SummaryReportDto): Cell[] {
  const covered = s.townshipsCovered === null ? null : `${s.townshipsCovered}个（共${s.townshipsTotal}个）`;
  return ['合计', null, ...figureCells(s, covered)];
}

interface Line {
  cells: Cell[];
  line: 'township' | 'outside' | 'totals';
}

/** Every line under the header: the townships, the events above them (when any), the totals. */
function tableLines(report: TownshipReportDto): Line[] {
  const lines: Line[] = report.items.map((r) => ({ cells: townshipCells(r), line: 'township' }));
  const outside = report.personTimesFromEventsOutsideTownships;
  if (outside) {
    const cells: Cell[] = TOWNSHIP_REPORT_HEADER.map(() => null);
    cells[0] = outsideLabel(report.orgUnit.kind);
    for (const key of ['personTimesFromEvents', 'personTimes'] as const) {
      cells[2 + FIGURE_COLUMNS.findIndex((c) => c.key === key)] = outside;
    }
    lines.push({ cells, line: 'outside' });
  }
  lines.push({ cells: totalsCells(report.totals), line: 'totals' });
  return lines;
}

/** A ratio as Excel reads a percentage typed into a CSV: `33.3%`. */
const percent = (value: Cell): Cell => (typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : value);

/**
 * The township table as CSV: UTF-8 with a BOM, a Chinese header line, one line per township,
 * a line for events held above the townships (when there were any) and a 合计 line.
 */
export function townshipReportCsv(report: TownshipReportDto): Buffer {
  const lines = tableLines(report).map(({ cells }) => cells.map((v, i) => (KINDS[i] === 'ratio' ? percent(v) : v)));
  return csvFile([TOWNSHIP_REPORT_HEADER, ...lines]);
}

/**
 * Adds the township table to `workbook` as sheet `name`: the title (unit, period) in row 1,
 * the dates and reading time in row 2, the header in row 3 (frozen), then the lines of the
 * CSV with number and percent formats, the totals in bold, and a note on the definitions.
 */
export function addTownshipSheet(workbook: ExcelJS.Workbook, name: string, report: TownshipReportDto): void {
  const sheet = workbook.addWorksheet(name);
  const title = `${report.orgUnit.name} ${periodName(report.year, report.quarter)} 乡镇培训统计`;
  sheet.addRow([title]).font = { bold: true, size: 14 };
  sheet.addRow([periodLine(report)]);
  const header = sheet.addRow(TOWNSHIP_REPORT_HEADER);
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
  for (const { cells, line } of tableLines(report)) {
    const row = sheet.addRow(cells);
    if (line === 'totals') row.font = { bold: true };
  }
  sheet.addRow([]);
  const note = sheet.addRow([TOWNSHIP_REPORT_NOTE]);
  sheet.mergeCells(note.number, 1, note.number, TOWNSHIP_REPORT_HEADER.length);
  note.alignment = { wrapText: true, vertical: 'top' };
  note.height = 75;
  KINDS.forEach((kind, i) => {
    const column = sheet.getColumn(i + 1);
    column.width = i === 0 ? 14 : i === 1 ? 16 : 10;
    if (kind !== 'text') column.numFmt = kind === 'ratio' ? RATIO_FORMAT : COUNT_FORMAT;
  });
  forPrinting(sheet, 'landscape', 3);
}

/** The township table as a workbook of one sheet, 乡镇统计 (see `addTownshipSheet`). */
export async function townshipReportXlsx(report: TownshipReportDto): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  addTownshipSheet(workbook, '乡镇统计', report);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
