import ExcelJS from 'exceljs';
import type { VisitDto } from './dto/visit.dto';
import type { VisitStatus } from './visit.entity';

export const VISITS_HEADER = [
  '班级',
  '乡镇',
  '回访人',
  '截止日期',
  '状态',
  '回访日期',
  '回访情况',
  '走访学员数',
  '问题',
  '需跟进',
  '取消原因',
];

const STATUS_ZH: Record<VisitStatus, string> = {
  assigned: '待回访',
  overdue: '已逾期',
  done: '已完成',
  cancelled: '已取消',
};

/** The visits as a workbook (one line each, header frozen), for the centre's own records and for sending upward. */
export async function visitsXlsx(visits: VisitDto[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('回访任务');
  sheet.addRow(VISITS_HEADER).font = { bold: true };
  for (const v of visits) {
    sheet.addRow([
      v.class.title,
      v.township.name,
      v.assignee.displayName,
      v.dueOn,
      STATUS_ZH[v.status],
      v.report?.visitedOn ?? null,
      v.report?.notes ?? null,
      v.report ? v.report.traineeIds.length : null,
      v.report?.problems ?? null,
      v.report ? (v.report.followUpNeeded ? '是' : '否') : null,
      v.cancelReason,
    ]);
  }
  [28, 14, 12, 12, 10, 12, 40, 10, 30, 8, 20].forEach((width, i) => (sheet.getColumn(i + 1).width = width));
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  sheet.pageSetup = { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 };
  sheet.pageSetup.printTitlesRow = '1:1';
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
