import ExcelJS from 'exceljs';
import type { RotationReportDto } from './dto/rotation.dto';
import { csvFile, forPrinting } from './spreadsheet-cells';

/** The people still to train: what the county calls round and what is sent upward. */
export const PEOPLE_HEADER = ['乡镇', '单位', '姓名', '手机号', '联系人'];
export const TOWNSHIP_HEADER = [
  '乡镇',
  '学员账号数',
  '调查在岗人数',
  '已参训',
  '未参训',
  '覆盖率',
  '培训人次',
  '联系人',
];
const NOTE =
  '说明：学员账号数为乡镇及所辖村在册的学员账号；调查在岗人数取自当年需求调查，未调查的乡镇为空；' +
  '已参训指当年结业过至少一个培训班；覆盖率 = 已参训 ÷ 学员账号数；培训人次为当年培训班出勤（含迟到）人次。';

/** A township's contact people in one cell: "name phone", joined by 、 (null when it has none). */
function contactsCell(t: RotationReportDto['townships'][number]): string | null {
  const text = t.contacts.map((c) => (c.phone ? `${c.displayName} ${c.phone}` : c.displayName)).join('、');
  return text || null;
}

/** Township, unit, name, phone (null when unknown) of each untrained person, and whom to call in its township. */
function peopleRows(report: RotationReportDto): (string | null)[][] {
  return report.townships.flatMap((t) =>
    t.notTrained.map((p) => [t.name, p.unitName, p.displayName, p.phone ?? null, contactsCell(t)]),
  );
}

/** The untrained people, one line each: UTF-8 with a BOM, so Excel opens the Chinese text correctly. */
export function rotationCsv(report: RotationReportDto): Buffer {
  return csvFile([PEOPLE_HEADER, ...peopleRows(report)]);
}

/**
 * The rotation report as a workbook to print or send upward: 乡镇汇总 (one line per township
 * and the totals) and 未参训人员 (one line per person still to train). Row 1 is the title,
 * row 2 the header; what is unknown (no survey, no phone, no coverage) is left empty.
 */
export async function rotationXlsx(report: RotationReportDto, unitName: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const title = `${unitName}${report.year}年年度轮训情况`;

  const summary = workbook.addWorksheet('乡镇汇总');
  summary.addRow([title]).font = { bold: true, size: 14 };
  summary.addRow(TOWNSHIP_HEADER).font = { bold: true };
  for (const t of report.townships) {
    summary.addRow([
      t.name,
      t.accounts,
      t.surveyStaffCount,
      t.trained,
      t.notTrained.length,
      t.coverage,
      t.personTimes,
      contactsCell(t),
    ]);
  }
  summary.addRow([
    '合计',
    report.accounts,
    report.surveyStaffCount,
    report.trained,
    report.accounts - report.trained,
    report.coverage,
    report.personTimes,
  ]).font = { bold: true };
  summary.addRow([]);
  summary.addRow([NOTE]);
  summary.getColumn(6).numFmt = '0.0%';
  summary.columns.forEach((col) => (col.width = 13));
  summary.getColumn(1).width = 16;
  summary.getColumn(8).width = 30;
  forPrinting(summary, 'landscape');

  const people = workbook.addWorksheet('未参训人员');
  const rows = peopleRows(report);
  people.addRow([`${unitName}${report.year}年年度未参训人员（共 ${rows.length} 人）`]).font = { bold: true, size: 14 };
  people.addRow(PEOPLE_HEADER).font = { bold: true };
  for (const r of rows) people.addRow(r);
  people.getColumn(4).numFmt = '@';
  [16, 16, 12, 16, 30].forEach((width, i) => (people.getColumn(i + 1).width = width));
  forPrinting(people, 'portrait');

  return Buffer.from(await workbook.xlsx.writeBuffer());
}
