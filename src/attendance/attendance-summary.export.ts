import ExcelJS from 'exceljs';
import type { AttendanceSummaryDto } from './dto/attendance.dto';

const TRAINEE_HEADER = [
  '乡镇',
  '姓名',
  '已上课次',
  '出勤',
  '迟到',
  '请假',
  '缺勤',
  '未记录',
  '人次',
  '得分',
  '满分',
  '出勤率',
  '达到结业要求',
];
const TOWNSHIP_HEADER = [
  '乡镇',
  '学员数',
  '出勤',
  '迟到',
  '请假',
  '缺勤',
  '未记录',
  '人次',
  '出勤率',
  '达到结业要求人数',
];

const percent = (rate: number | null) => rate ?? '';

/** The attendance summary as a workbook: one sheet per trainee line, one per township. */
export async function attendanceSummaryXlsx(s: AttendanceSummaryDto): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const trainees = workbook.addWorksheet('学员出勤');
  trainees.addRow([`${s.title} 出勤汇总`]).font = { bold: true };
  trainees.addRow([
    `已上课 ${s.sessionsHeld} 次；出勤 ${s.points.present} 分、迟到 ${s.points.late} 分、请假 ${s.points.excused} 分、缺勤 ${s.points.absent} 分，每次满分 ${s.points.possible} 分；结业要求出勤率 ≥ ${s.threshold}`,
  ]);
  trainees.addRow(TRAINEE_HEADER).font = { bold: true };
  for (const t of s.townships) {
    for (const e of t.enrolments) {
      trainees.addRow([
        t.name,
        e.displayName,
        e.sessionsHeld,
        e.present,
        e.late,
        e.excused,
        e.absent,
        e.unmarked,
        e.personTimes,
        e.pointsEarned,
        e.pointsPossible,
        percent(e.rate),
        e.meetsThreshold ? '是' : '否',
      ]);
    }
  }
  trainees.getColumn(12).numFmt = '0.0%';
  trainees.columns.forEach((col) => (col.width = 12));

  const townships = workbook.addWorksheet('乡镇汇总');
  townships.addRow(TOWNSHIP_HEADER).font = { bold: true };
  for (const t of s.townships) {
    townships.addRow([
      t.name,
      t.trainees,
      t.present,
      t.late,
      t.excused,
      t.absent,
      t.unmarked,
      t.personTimes,
      percent(t.rate),
      t.meetingThreshold,
    ]);
  }
  townships.addRow([
    '合计',
    s.trainees,
    s.present,
    s.late,
    s.excused,
    s.absent,
    s.unmarked,
    s.personTimes,
    percent(s.rate),
    s.meetingThreshold,
  ]).font = { bold: true };
  townships.getColumn(9).numFmt = '0.0%';
  townships.columns.forEach((col) => (col.width = 12));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
