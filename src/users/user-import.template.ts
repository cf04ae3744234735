import ExcelJS from 'exceljs';

/** The template's columns, as the import reads them (user-import.parser.ts HEADER_ALIASES). */
export const USER_IMPORT_COLUMNS = [
  '用户名',
  '姓名',
  '手机号',
  '单位',
  '单位编码',
  '学历',
  '计算机水平',
  '邮箱',
  '密码',
];

/** A unit the admin may import into, for the template's list of names and codes. */
export interface TemplateUnit {
  name: string;
  code: string | null;
  kind: string;
}

/**
 * The workbook to fill for an import of trainees: its first sheet (the one the import reads)
 * has the header row only, in Chinese, with 用户名 and 手机号 as text cells (a phone number
 * typed there stays a text, leading zeros and all); a second sheet says how to fill each
 * column and lists the units of the admin's part of the tree by name and code.
 */
export async function userImportTemplate(units: TemplateUnit[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('学员名单', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.addRow(USER_IMPORT_COLUMNS).font = { bold: true };
  sheet.columns.forEach((col, i) => {
    col.width = i === 3 ? 18 : 14;
  });
  for (const col of [1, 3, 5]) sheet.getColumn(col).numFmt = '@';

  const help = workbook.addWorksheet('填写说明');
  help.columns = [{ width: 14 }, { width: 70 }];
  const lines: [string, string][] = [
    ['用户名', '登录用的账号，常用手机号；字母、数字或 . _ @ + -。不填时用手机号'],
    ['姓名', '必填，最多 50 个字'],
    ['手机号', '可不填'],
    ['单位', '所在乡镇或村的名称（见下表）；与“单位编码”二选一'],
    ['单位编码', '单位的编码（见下表），名称重复时请填编码'],
    ['学历', '小学、初中、高中、中专、大专、本科、研究生等，可不填'],
    ['计算机水平', '无、基础、中级、高级，可不填'],
    ['邮箱', '可不填'],
    ['密码', '8 至 128 个字符；不填时系统生成初始密码，导入后只显示一次'],
  ];
  help.addRow(['列', '怎么填']).font = { bold: true };
  for (const line of lines) help.addRow(line);
  help.addRow([]);
  help.addRow(['单位名称', '单位编码（类型）']).font = { bold: true };
  for (const u of units) help.addRow([u.name, u.code ? `${u.code}（${u.kind}）` : `（${u.kind}）`]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
