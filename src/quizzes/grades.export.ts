import ExcelJS from 'exceljs';
import type { ClassGradesDto } from './dto/quiz-results.dto';

/** Rows above the first trainee: the title, then the headers (both stay in view when scrolling). */
const HEADER_ROWS = 2;

/**
 * A class's grades as a workbook: a title row with the class's name, then one row per trainee
 * (学员, 乡镇) with each quiz's grade (as a percentage) and whether it passed. Blank cells: no grade.
 */
export async function gradesXlsx(g: ClassGradesDto): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('成绩', {
    views: [{ state: 'frozen', xSplit: 2, ySplit: HEADER_ROWS }],
  });
  sheet.addRow([`${g.title} 测验成绩`]).font = { bold: true, size: 14 };
  sheet.addRow(['学员', '乡镇', ...g.quizzes.flatMap((q) => [`${q.title} 成绩`, `${q.title} 是否通过`])]).font = {
    bold: true,
  };
  for (const item of g.items) {
    sheet.addRow([
      item.displayName,
      item.townshipName,
      ...item.grades.flatMap((c) => [
        c.percent === null ? null : c.percent / 100,
        c.passed === null ? null : c.passed ? '是' : '否',
      ]),
    ]);
  }
  sheet.getColumn(1).width = 14;
  sheet.getColumn(2).width = 14;
  g.quizzes.forEach((_, i) => {
    const grade = sheet.getColumn(3 + 2 * i);
    grade.numFmt = '0.0%';
    grade.width = 16;
    sheet.getColumn(4 + 2 * i).width = 16;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
