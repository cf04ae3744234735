import ExcelJS from 'exceljs';
import * as iconv from 'iconv-lite';
import { decodeCsv, educationFrom, ImportFileError, parseUserImport, proficiencyFrom } from './user-import.parser';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

async function xlsx(rows: (string | number | null)[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('学员');
  rows.forEach((cells, i) => {
    cells.forEach((value, j) => {
      if (value !== null) sheet.getCell(i + 1, j + 1).value = value;
    });
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe('parseUserImport', () => {
  const englishCsv =
    'username,displayName,phone,orgUnit,education,proficiency\nli.lei,Li Lei,13800138000,甲一镇,本科,基础\n';

  it('reads a UTF-8 CSV with a BOM (as Excel saves "CSV UTF-8")', async () => {
    const { rows, columns } = await parseUserImport(Buffer.concat([BOM, Buffer.from(englishCsv, 'utf8')]));
    expect(columns).toEqual(['username', 'displayName', 'phone', 'orgUnit', 'education', 'proficiency']);
    expect(rows).toEqual([
      {
        row: 2,
        fields: {
          username: 'li.lei',
          displayName: 'Li Lei',
          phone: '13800138000',
          orgUnit: '甲一镇',
          education: '本科',
          proficiency: '基础',
        },
      },
    ]);
  });

  it('reads a UTF-8 CSV without a BOM the same way', async () => {
    const withBom = await parseUserImport(Buffer.concat([BOM, Buffer.from(englishCsv, 'utf8')]));
    const without = await parseUserImport(Buffer.from(englishCsv, 'utf8'));
    expect(without).toEqual(withBom);
  });

  it('reads a GB18030 CSV with Chinese headers and names (as Chinese Excel saves "CSV")', async () => {
    const text =
      '用户名,姓名,手机号,单位,学历,计算机水平\r\n' +
      'zhang.san,张三,13800138001,甲一村,初中,精通\r\n' +
      'wang.xiaohong,王晓红,13800138002,甲二村,本科,基础\r\n';
    const bytes = iconv.encode(text, 'gb18030');
    // Not UTF-8: the detection must fall back to GB18030.
    expect(bytes.equals(Buffer.from(text, 'utf8'))).toBe(false);
    expect(decodeCsv(bytes)).toBe(text);

    const { rows, columns } = await parseUserImport(bytes);
    expect(columns).toEqual(['username', 'displayName', 'phone', 'orgUnit', 'education', 'proficiency']);
    expect(rows).toEqual([
      {
        row: 2,
        fields: {
          username: 'zhang.san',
          displayName: '张三',
          phone: '13800138001',
          orgUnit: '甲一村',
          education: '初中',
          proficiency: '精通',
        },
      },
      {
        row: 3,
        fields: {
          username: 'wang.xiaohong',
          displayName: '王晓红',
          phone: '13800138002',
          orgUnit: '甲二村',
          education: '本科',
          proficiency: '基础',
        },
      },
    ]);
  });

  it('maps English header spellings regardless of case, spaces and punctuation', async () => {
    const csv =
      'User Name,Display_Name,Mobile,E-mail,Org Unit Code,Password,Notes\nab,Ann,13800138003,a@b.cn,TS-01,secret-pass,x\n';
    const { rows, columns } = await parseUserImport(Buffer.from(csv, 'utf8'));
    expect(columns).toEqual(['username', 'displayName', 'phone', 'email', 'orgUnitCode', 'password']);
    // The unknown "Notes" column is ignored.
    expect(rows[0].fields).toEqual({
      username: 'ab',
      displayName: 'Ann',
      phone: '13800138003',
      email: 'a@b.cn',
      orgUnitCode: 'TS-01',
      password: 'secret-pass',
    });
  });

  it('skips blank lines and keeps row numbers as the spreadsheet shows them', async () => {
    const csv = 'username,displayName,orgUnit\n' + 'a1,甲,u\n' + '\n' + ',,\n' + '  ,\t, \n' + 'a2,乙,u\n' + '\n';
    const { rows } = await parseUserImport(Buffer.from(csv, 'utf8'));
    expect(rows.map((r) => [r.row, r.fields.username])).toEqual([
      [2, 'a1'],
      [6, 'a2'],
    ]);
  });

  it('trims values and leaves empty cells out of the fields', async () => {
    const csv = 'username,displayName,phone,orgUnit\n  a1 , 张三 ,,u\n';
    const { rows } = await parseUserImport(Buffer.from(csv, 'utf8'));
    expect(rows[0].fields).toEqual({ username: 'a1', displayName: '张三', orgUnit: 'u' });
  });

  it('reads an XLSX workbook, giving a phone stored as a number back as its digits', async () => {
    const buffer = await xlsx([
      ['用户名', '姓名', '手机号', '单位', '学历', '计算机水平'],
      ['zhao.liu', '赵六', 13800138004, '甲一镇', '大专', '中级'],
      [null, null, null, null, null, null],
      ['qian.qi', '钱七', 13912345678, '甲二镇', null, null],
    ]);
    const { rows, columns } = await parseUserImport(buffer);
    expect(columns).toEqual(['username', 'displayName', 'phone', 'orgUnit', 'education', 'proficiency']);
    expect(rows).toEqual([
      {
        row: 2,
        fields: {
          username: 'zhao.liu',
          displayName: '赵六',
          phone: '13800138004',
          orgUnit: '甲一镇',
          education: '大专',
          proficiency: '中级',
        },
      },
      { row: 4, fields: { username: 'qian.qi', displayName: '钱七', phone: '13912345678', orgUnit: '甲二镇' } },
    ]);
  });

  it('refuses a legacy .xls file by its magic bytes', async () => {
    const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]);
    await expect(parseUserImport(xls)).rejects.toThrow(ImportFileError);
    await expect(parseUserImport(xls)).rejects.toThrow(/\.xls/);
  });

  it('refuses an empty file', async () => {
    await expect(parseUserImport(Buffer.alloc(0))).rejects.toThrow(ImportFileError);
  });

  it('refuses a zip that is not a workbook', async () => {
    const notXlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 7)]);
    await expect(parseUserImport(notXlsx)).rejects.toThrow(ImportFileError);
  });

  it.each([
    ['no name column', 'username,phone,orgUnit\na1,13800138000,u\n'],
    ['neither username nor phone', 'displayName,orgUnit\n张三,u\n'],
    ['no header at all', '张三,13800138000,甲一镇\n'],
  ])('refuses a file whose header misses required columns (%s)', async (_case, csv) => {
    await expect(parseUserImport(Buffer.from(csv, 'utf8'))).rejects.toThrow(ImportFileError);
  });

  it('accepts phone instead of username as the identifying column', async () => {
    const { rows, columns } = await parseUserImport(
      Buffer.from('姓名,手机号码,单位\n张三,13800138000,甲一村\n', 'utf8'),
    );
    expect(columns).toEqual(['displayName', 'phone', 'orgUnit']);
    expect(rows[0].fields).toEqual({ displayName: '张三', phone: '13800138000', orgUnit: '甲一村' });
  });

  it('refuses more than 5000 rows', async () => {
    const csv = 'username,displayName,orgUnit\n' + Array.from({ length: 5001 }, (_, i) => `u${i},n${i},x`).join('\n');
    await expect(parseUserImport(Buffer.from(csv, 'utf8'))).rejects.toThrow(/5000/);
  });

  it.each([
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('refuses a 5 MB CSV of blank lines (%s line endings) quickly, before parsing it', async (_name, eol) => {
    const csv = Buffer.from(
      `username,displayName,orgUnit${eol}${eol.repeat(Math.floor((5 * 1024 * 1024) / eol.length))}`,
    );
    const started = Date.now();
    await expect(parseUserImport(csv)).rejects.toThrow(/at most/i);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a workbook whose first sheet has more rows than the cap, even mostly empty ones', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('学员');
    sheet.addRow(['username', 'displayName', 'orgUnit']);
    sheet.getCell(7000, 1).value = 'far-down';
    const file = Buffer.from(await workbook.xlsx.writeBuffer());
    await expect(parseUserImport(file)).rejects.toThrow(/at most/i);
  });

  it('refuses a workbook that unzips to more than 20 MB without loading it', async () => {
    const file = await xlsx([
      ['username', 'displayName'],
      ['li.lei', 'x'.repeat(21 * 1024 * 1024)],
    ]);
    expect(file.length).toBeLessThan(1024 * 1024);
    await expect(parseUserImport(file)).rejects.toThrow(/unzips to more than 20 MB/);
  });

  it('refuses a header with more than 200 columns', async () => {
    const csv = `username,displayName,${Array.from({ length: 300 }, (_, i) => `c${i}`).join(',')}\nli.lei,Li Lei\n`;
    await expect(parseUserImport(Buffer.from(csv))).rejects.toThrow(/200 columns/);
  });
});

describe('educationFrom / proficiencyFrom', () => {
  it.each([
    ['本科', 'tertiary'],
    ['大专', 'tertiary'],
    ['初中', 'secondary'],
    ['高中', 'secondary'],
    ['小学', 'primary'],
    [' Tertiary ', 'tertiary'],
  ])('education %s → %s', (word, band) => {
    expect(educationFrom(word)).toBe(band);
  });

  it.each([
    ['基础', 'basic'],
    ['精通', 'advanced'],
    ['中级', 'intermediate'],
    ['不会', 'none'],
    ['ADVANCED', 'advanced'],
  ])('proficiency %s → %s', (word, level) => {
    expect(proficiencyFrom(word)).toBe(level);
  });

  it('answers undefined for unknown words', () => {
    expect(educationFrom('幼儿园')).toBeUndefined();
    expect(educationFrom('')).toBeUndefined();
    expect(proficiencyFrom('很厉害')).toBeUndefined();
    expect(proficiencyFrom('')).toBeUndefined();
  });

  it('answers undefined for words that are Object.prototype keys (a cell may hold any text)', () => {
    expect(educationFrom('constructor')).toBeUndefined();
    expect(educationFrom('__proto__')).toBeUndefined();
    expect(proficiencyFrom('toString')).toBeUndefined();
    expect(proficiencyFrom('hasOwnProperty')).toBeUndefined();
  });
});
