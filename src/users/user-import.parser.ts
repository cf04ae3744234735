import type { EducationLevel, Proficiency } from './user.types';
import { ImportFileError, readTable, tooManyRows } from '../common/spreadsheet/table-reader';

// The file reading is shared with other imports; these stay importable from here.
export { decodeCsv, ImportFileError } from '../common/spreadsheet/table-reader';

/** One data row of an import file, keyed by our field names; `row` is the spreadsheet row number (header is 1). */
export interface ImportRow {
  row: number;
  fields: Partial<Record<ImportField, string>>;
}

export type ImportField =
  'username' | 'displayName' | 'password' | 'phone' | 'email' | 'education' | 'proficiency' | 'orgUnitCode' | 'orgUnit';

export const MAX_IMPORT_ROWS = 5000;
/** Lines or rows read at most, blank ones included (see TableLimits). */
const MAX_IMPORT_LINES = MAX_IMPORT_ROWS + 1000;
/** Columns read at most. */
const MAX_IMPORT_COLUMNS = 200;

/** Column headers as people write them, in English or Chinese (compared without case, spaces or punctuation). */
const HEADER_ALIASES: Record<ImportField, string[]> = {
  username: ['username', 'user', 'login', '用户名', '账号', '帐号', '登录名'],
  displayName: ['displayname', 'name', 'fullname', '姓名', '名字'],
  password: ['password', '密码', '初始密码'],
  phone: ['phone', 'mobile', 'tel', '手机', '手机号', '手机号码', '电话', '联系电话'],
  email: ['email', 'mail', '邮箱', '电子邮箱', '电子邮件'],
  education: ['education', '学历', '文化程度'],
  proficiency: ['proficiency', 'computerproficiency', '计算机水平', '计算机能力', '电脑水平', '计算机熟练程度'],
  orgUnitCode: ['orgunitcode', 'unitcode', 'code', '单位编码', '单位代码'],
  orgUnit: ['orgunit', 'orgunitname', 'unit', 'township', 'village', '单位', '所属单位', '乡镇', '村', '服务点'],
};

function normaliseHeader(h: string): string {
  return h
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.:：()（）*]/g, '');
}

const HEADER_LOOKUP = new Map<string, ImportField>(
  (Object.entries(HEADER_ALIASES) as [ImportField, string[]][]).flatMap(([field, aliases]) =>
    aliases.map((a) => [normaliseHeader(a), field] as const),
  ),
);

const EDUCATION_WORDS = new Map(
  Object.entries<EducationLevel>({
    primary: 'primary',
    小学: 'primary',
    secondary: 'secondary',
    初中: 'secondary',
    高中: 'secondary',
    中专: 'secondary',
    职高: 'secondary',
    技校: 'secondary',
    tertiary: 'tertiary',
    大专: 'tertiary',
    专科: 'tertiary',
    本科: 'tertiary',
    大学: 'tertiary',
    研究生: 'tertiary',
    硕士: 'tertiary',
    博士: 'tertiary',
  }),
);

const PROFICIENCY_WORDS = new Map(
  Object.entries<Proficiency>({
    none: 'none',
    无: 'none',
    不会: 'none',
    basic: 'basic',
    基础: 'basic',
    入门: 'basic',
    初级: 'basic',
    intermediate: 'intermediate',
    中级: 'intermediate',
    一般: 'intermediate',
    熟练: 'intermediate',
    advanced: 'advanced',
    高级: 'advanced',
    精通: 'advanced',
  }),
);

/** Maps an English or Chinese education word to our band; undefined when unknown (a Map: no prototype keys). */
export function educationFrom(value: string): EducationLevel | undefined {
  return EDUCATION_WORDS.get(value.trim().toLowerCase());
}

export function proficiencyFrom(value: string): Proficiency | undefined {
  return PROFICIENCY_WORDS.get(value.trim().toLowerCase());
}

/**
 * Reads a CSV or XLSX of users into rows keyed by field; unknown columns are ignored. Rows
 * are taken as they are read, so a file with too many is refused as soon as it passes the limit.
 */
export async function parseUserImport(buffer: Buffer): Promise<{ rows: ImportRow[]; columns: ImportField[] }> {
  const table = readTable(buffer, {
    maxRows: MAX_IMPORT_ROWS,
    maxLines: MAX_IMPORT_LINES,
    maxColumns: MAX_IMPORT_COLUMNS,
  });
  let columns: (ImportField | undefined)[] | undefined;
  const rows: ImportRow[] = [];
  for await (const { row, cells } of table) {
    if (columns === undefined) {
      // The header is the sheet's first row: a sheet whose row 1 is blank has none.
      columns = row === 1 ? cells.map((h) => HEADER_LOOKUP.get(normaliseHeader(h))) : [];
      checkHeader(columns);
      continue;
    }
    if (cells.every((c) => c.trim() === '')) continue;
    const fields: ImportRow['fields'] = {};
    columns.forEach((field, col) => {
      const value = (cells[col] ?? '').trim();
      if (field && value !== '') fields[field] = value;
    });
    rows.push({ row, fields });
    if (rows.length > MAX_IMPORT_ROWS) throw tooManyRows(MAX_IMPORT_ROWS);
  }
  checkHeader(columns ?? []);
  return { rows, columns: (columns ?? []).filter((c): c is ImportField => c !== undefined) };
}

function checkHeader(columns: (ImportField | undefined)[]): void {
  if (!columns.includes('displayName') || (!columns.includes('username') && !columns.includes('phone'))) {
    throw new ImportFileError(
      'The first row must name the columns: at least displayName (姓名) and username (用户名) or phone (手机号)',
      'header',
    );
  }
}
