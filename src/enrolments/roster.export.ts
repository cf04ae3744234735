import ExcelJS from 'exceljs';
import type { RosterDto } from './dto/enrolment.dto';

const STATUS_ZH: Record<string, string> = {
  confirmed: '已确认',
  waitlisted: '候补',
  completed: '已结业',
  withdrawn: '已退出',
};
const PROFICIENCY_ZH: Record<string, string> = { none: '无', basic: '基础', intermediate: '中级', advanced: '高级' };
const EDUCATION_ZH: Record<string, string> = { primary: '小学', secondary: '中学', tertiary: '大专及以上' };

const HEADER = ['乡镇', '姓名', '用户名', '手机号', '学历', '计算机水平', '状态', '候补序号', '本年度已培训'];

function rows(roster: RosterDto): (string | number)[][] {
  return roster.townships.flatMap((t) =>
    t.enrolments.map((e) => [
      t.name,
      e.displayName,
      e.username,
      e.phone ?? '',
      e.education ? (EDUCATION_ZH[e.education] ?? e.education) : '',
      e.proficiency ? (PROFICIENCY_ZH[e.proficiency] ?? e.proficiency) : '',
      STATUS_ZH[e.status] ?? e.status,
      e.position ?? '',
      e.trainedThisYear ? '是' : '否',
    ]),
  );
}

function csvCell(value: string | number): string {
  const text = String(value);
  // Quote what needs it; a leading = + - @ tab or CR is prefixed so spreadsheets do not run it as a formula.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** UTF-8 with a BOM, so Excel opens the Chinese text correctly. */
export function rosterCsv(roster: RosterDto): Buffer {
  const lines = [HEADER, ...rows(roster)].map((r) => r.map(csvCell).join(','));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')]);
}

export async function rosterXlsx(roster: RosterDto, title: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('花名册');
  sheet.addRow([title]);
  sheet.addRow(HEADER).font = { bold: true };
  for (const r of rows(roster)) sheet.addRow(r);
  sheet.columns.forEach((col) => (col.width = 14));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
