import ExcelJS from 'exceljs';
import * as iconv from 'iconv-lite';
import {
  buildXlsx,
  buildZip,
  deflateBomb,
  sheetXmlWith,
  workbookFiles,
  type ZipFile,
} from '../../test/support/xlsx-fixtures';
import { ZipReader } from '../common/spreadsheet/zip-reader';
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

/** Runs `work` while a 1 ms timer measures the longest time the event loop was held up. */
async function longestEventLoopGap<T>(work: () => Promise<T>): Promise<{ result: T; gapMs: number }> {
  let last = performance.now();
  let gapMs = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  }, 1);
  try {
    const result = await work();
    gapMs = Math.max(gapMs, performance.now() - last);
    return { result, gapMs };
  } finally {
    clearInterval(probe);
  }
}

/** The bytes of the first sheet entry replaced by `raw` deflate data that claims to be small. */
function workbookWithSheet(raw: Buffer): Buffer {
  return buildZip(workbookFiles({ name: 'xl/worksheets/sheet1.xml', data: '', raw, declaredSize: 2000, crc: 0 }));
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

  it('refuses a CSV line longer than 64 KB before parsing it (a megabyte of commas)', async () => {
    const started = performance.now();
    const wide = Buffer.from(`姓名,手机号,单位\n${','.repeat(1024 * 1024)}\n`, 'utf8');
    await expect(parseUserImport(wide)).rejects.toMatchObject({ reason: 'lineTooLong', args: { kb: 64 } });
    expect(performance.now() - started).toBeLessThan(500);
    // A long line of real data still fits.
    const fine = Buffer.from(`姓名,手机号,单位\n${'张'.repeat(10_000)},13800000000,城关镇\n`, 'utf8');
    await expect(parseUserImport(fine)).resolves.toMatchObject({ rows: [{ row: 2 }] });
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
  ])('refuses a 5 MB CSV of blank lines (%s line endings), before parsing it', async (_name, eol) => {
    const csv = Buffer.from(
      `username,displayName,orgUnit${eol}${eol.repeat(Math.floor((5 * 1024 * 1024) / eol.length))}`,
    );
    await expect(parseUserImport(csv)).rejects.toThrow(/at most/i);
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
    const file = buildXlsx([
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

describe('parseUserImport: XLSX as spreadsheet programs write it', () => {
  const header = ['username', 'displayName', 'phone'];

  it('reads the first tab, wherever its sheet sits in the archive', async () => {
    const rel = (id: string, sheet: number) =>
      `<Relationship Id="${id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet${sheet}.xml"/>`;
    const files = workbookFiles(sheetXmlWith('<row r="1"><c t="inlineStr"><is><t>not this one</t></is></c></row>'));
    files.push({
      name: 'xl/worksheets/sheet2.xml',
      data: sheetXmlWith(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>username</t></is></c><c r="B1" t="inlineStr"><is><t>姓名</t></is></c></row>' +
          '<row r="2"><c r="A2" t="inlineStr"><is><t>u1</t></is></c><c r="B2" t="inlineStr"><is><t>甲</t></is></c></row>',
      ),
    });
    const workbook = files.find((f) => f.name === 'xl/workbook.xml')!;
    workbook.data = String(workbook.data).replace(
      '<sheet name="学员" sheetId="1" r:id="rId1"/>',
      '<sheet name="二" sheetId="2" r:id="rId9"/><sheet name="学员" sheetId="1" r:id="rId1"/>',
    );
    const rels = files.find((f) => f.name === 'xl/_rels/workbook.xml.rels')!;
    rels.data = String(rels.data).replace('</Relationships>', `${rel('rId9', 2)}</Relationships>`);

    const { rows } = await parseUserImport(buildZip(files));
    expect(rows).toEqual([{ row: 2, fields: { username: 'u1', displayName: '甲' } }]);
  });

  it('reads inline and rich text without its phonetic guide, prefixed tags, cells without references, booleans, formulas and escapes', async () => {
    const shared = ['username', '姓名', 'email', 'education'];
    const files = workbookFiles(
      sheetXmlWith(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>' +
          '<c r="D1" t="s"><v>3</v></c><c r="E1" t="inlineStr"><is><t>phone</t></is></c></row>' +
          '<row r="3"><c t="inlineStr"><is><r><t>li</t></r><r><rPr><b/></rPr><t>.lei</t></r></is></c>' +
          '<c t="s"><v>4</v></c><c t="str"><f>A3&amp;"@example.cn"</f><v>li.lei@example.cn</v></c>' +
          '<c t="b"><v>1</v></c><c><v>1.3800138E+10</v></c></row>',
      ),
      [...shared, 'ignored'],
    );
    // Shared strings as Excel writes them for a name typed with a Japanese input method: the guide is not the name.
    files.find((f) => f.name === 'xl/sharedStrings.xml')!.data =
      '<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
      shared.map((t) => `<x:si><x:t>${t}</x:t></x:si>`).join('') +
      '<x:si><x:r><x:t>李</x:t></x:r><x:r><x:t>_x000D_磊</x:t></x:r><x:rPh sb="0" eb="1"><x:t>り</x:t></x:rPh></x:si></x:sst>';

    const { rows } = await parseUserImport(buildZip(files));

    expect(rows).toEqual([
      {
        row: 3,
        fields: {
          username: 'li.lei',
          displayName: '李\r磊',
          email: 'li.lei@example.cn',
          education: 'TRUE',
          phone: '13800138000',
        },
      },
    ]);
  });

  it('refuses a sheet whose first row is blank (no header)', async () => {
    const file = buildXlsx([[], header, ['u1', '甲', '13800138000']]);
    await expect(parseUserImport(file)).rejects.toThrow(/first row must name the columns/);
  });

  it.each([
    ['rows out of order', '<row r="2"><c r="A2"><v>1</v></c></row><row r="1"><c r="A1"><v>1</v></c></row>'],
    ['a shared string that does not exist', '<row r="1"><c r="A1" t="s"><v>99</v></c></row>'],
    ['a malformed cell reference', '<row r="1"><c r="1A"><v>1</v></c></row>'],
    ['a cell longer than Excel allows', `<row r="1"><c t="inlineStr"><is><t>${'x'.repeat(40000)}</t></is></c></row>`],
    ['a DTD', '<!DOCTYPE x [<!ENTITY a "a">]>'],
  ])('refuses a sheet with %s', async (_what, sheetData) => {
    await expect(parseUserImport(buildZip(workbookFiles(sheetXmlWith(sheetData), [])))).rejects.toThrow(
      /not a readable XLSX workbook/,
    );
  });

  it('refuses a workbook whose sheet is missing', async () => {
    const files = workbookFiles(sheetXmlWith('')).filter((f) => !f.name.includes('worksheets'));
    await expect(parseUserImport(buildZip(files))).rejects.toThrow(/first sheet is missing/);
  });

  it('refuses cells beyond column 200 as soon as one is read', async () => {
    const file = buildZip(workbookFiles(sheetXmlWith('<row r="1"><c r="GS1"><v>1</v></c></row>')));
    await expect(parseUserImport(file)).rejects.toThrow(/200 columns/);
  });
});

describe('parseUserImport: XLSX archives that try to exhaust the server', () => {
  // Speed is not asserted (a loaded machine made 2-second bounds fail): the refusal names the
  // 20 MB cap, and zip-reader.spec.ts counts that no more than the cap is inflated.
  it('refuses a 400 MB bomb in a ~410 KB workbook once 20 MB are inflated', async () => {
    const file = workbookWithSheet(deflateBomb(400));
    expect(file.length).toBeLessThan(450 * 1024);
    const rss = process.memoryUsage().rss;

    await expect(parseUserImport(file)).rejects.toThrow(/unzips to more than 20 MB/);

    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * 1024 * 1024);
  });

  it('refuses a bomb hidden from the entry count of the end record (the count is cross-checked, not trusted)', async () => {
    const files: ZipFile[] = [
      ...workbookFiles(sheetXmlWith('<row r="1"><c t="inlineStr"><is><t>姓名</t></is></c></row>')),
      { name: 'xl/media/image1.png', data: '', raw: deflateBomb(400), declaredSize: 10 },
    ];
    const file = buildZip(files, { declaredCount: files.length - 1 });
    await expect(parseUserImport(file)).rejects.toThrow(/not a readable XLSX workbook.*says it holds 5 files/);
  });

  it('never inflates a part it does not read, so a bomb there costs nothing', async () => {
    const files: ZipFile[] = [
      ...workbookFiles(
        sheetXmlWith(
          '<row r="1"><c t="inlineStr"><is><t>用户名</t></is></c><c t="inlineStr"><is><t>姓名</t></is></c></row>' +
            '<row r="2"><c t="inlineStr"><is><t>u1</t></is></c><c t="inlineStr"><is><t>甲</t></is></c></row>',
        ),
      ),
      { name: 'docProps/thumbnail.jpeg', data: '', raw: deflateBomb(400), declaredSize: 10 },
    ];
    const read = jest.spyOn(ZipReader.prototype, 'read');
    try {
      const { rows } = await parseUserImport(buildZip(files));
      expect(rows).toEqual([{ row: 2, fields: { username: 'u1', displayName: '甲' } }]);
      expect(read.mock.calls.map(([entry]) => entry.name)).not.toContain('docProps/thumbnail.jpeg');
    } finally {
      read.mockRestore();
    }
  });

  it('refuses a sheet of endless rows as soon as it passes 6,000, without inflating the rest', async () => {
    const header = '<row><c t="inlineStr"><is><t>username</t></is></c><c t="inlineStr"><is><t>姓名</t></is></c></row>';
    const file = workbookWithSheet(deflateBomb(400, '<row/>', `<worksheet><sheetData>${header}`));
    // The row limit, not the 20 MB cap: reading stopped at row 6,001.
    await expect(parseUserImport(file)).rejects.toThrow(/at most 5000 rows .* more than 6000 lines/i);
  });

  it('refuses a sheet with more than 5000 data rows', async () => {
    const rows = Array.from({ length: 5001 }, (_, i) => [`u${i}`, `学员${i}`]);
    await expect(parseUserImport(buildXlsx([['username', 'displayName'], ...rows]))).rejects.toThrow(
      /At most 5000 rows/,
    );
  });

  it('reads a legitimate 5,000-row workbook (written by ExcelJS) without holding up the event loop', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [
      `user${i}`,
      `学员${i}号`,
      13800000000 + i,
      '甲一镇',
      '本科',
      '基础',
      `u${i}@example.cn`,
      `Password-${i}`,
    ]);
    const file = await xlsx([
      ['username', 'displayName', 'phone', 'orgUnit', 'education', 'proficiency', 'email', 'password'],
      ...rows,
    ]);

    const { result, gapMs } = await longestEventLoopGap(() => parseUserImport(file));

    expect(result.rows).toHaveLength(5000);
    expect(result.rows[4999]).toEqual({
      row: 5001,
      fields: {
        username: 'user4999',
        displayName: '学员4999号',
        phone: '13800004999',
        orgUnit: '甲一镇',
        education: '本科',
        proficiency: '基础',
        email: 'u4999@example.cn',
        password: 'Password-4999',
      },
    });
    // Loading the whole workbook at once (the old way) held the loop ~1 s for this file.
    expect(gapMs).toBeLessThan(500);
  });

  it('reads the largest workbook the limits allow (5,000 rows × 45 columns, ~18 MB unzipped) without holding up the event loop', async () => {
    const header = ['username', 'displayName', ...Array.from({ length: 43 }, (_, i) => `note${i}`)];
    const rows = Array.from({ length: 5000 }, (_, r) => [
      `user${r}`,
      `学员${r}`,
      ...Array.from({ length: 43 }, (_, c) => `r${r}c${c}`),
    ]);
    const file = buildXlsx([header, ...rows]);

    const { result, gapMs } = await longestEventLoopGap(() => parseUserImport(file));

    expect(result.rows).toHaveLength(5000);
    expect(gapMs).toBeLessThan(500);
  });
});

describe('parseUserImport: CSV bytes that are neither UTF-8 nor GB18030', () => {
  const gbLines = ['用户名,姓名,单位', 'zhang.san,张三,甲一村', 'li.si,李四,甲二村', 'wang.wu,王五,甲三村'];
  const gb = (lines: string[]) => iconv.encode(`${lines.join('\r\n')}\r\n`, 'gb18030');

  it('refuses a GB18030 file with bytes GB18030 cannot read, naming the row', async () => {
    const file = gb(gbLines);
    const at = file.indexOf(iconv.encode('李四', 'gb18030'));
    file[at + 1] = 0x20; // a lead byte followed by a space: no GB18030 character
    await expect(parseUserImport(file)).rejects.toThrow(
      'The file is neither UTF-8 nor GB18030 text: row 3 has bytes that are not valid GB18030 (GBK)',
    );
    expect(() => decodeCsv(file)).toThrow(ImportFileError);
  });

  it('refuses a UTF-8 file with one row typed in GBK, naming that row instead of reading it all as GB18030 mojibake', async () => {
    // Two-character names: these UTF-8 bytes would also decode as (wrong) GB18030 without an error.
    const utf8 = (s: string) => Buffer.from(s, 'utf8');
    const file = Buffer.concat([
      utf8('用户名,姓名,单位\r\nzhang.san,张三,甲村\r\nli.si,李四,乙村\r\nwang.wu,'),
      iconv.encode('王五', 'gbk'),
      utf8(',丙村\r\nzhao.liu,赵六,丁村\r\n'),
    ]);
    await expect(parseUserImport(file)).rejects.toThrow(
      'The file is UTF-8 text but row 4 has bytes that are not valid UTF-8',
    );
  });

  it('refuses a file that starts with a UTF-8 BOM but has bytes UTF-8 cannot read', async () => {
    const file = Buffer.concat([Buffer.from('\ufeffusername,displayName\r\nab,', 'utf8'), Buffer.from([0xc0, 0xaf])]);
    await expect(parseUserImport(file)).rejects.toThrow('The file starts as UTF-8 but row 2 has bytes');
  });

  it('names the spreadsheet row, not the line, when a quoted cell spans lines', async () => {
    const file = gb(['用户名,姓名,地址', 'a1,张三,"甲村', '一组"', 'a2,李四,乙村']);
    file[file.indexOf(iconv.encode('李四', 'gb18030')) + 1] = 0x2d; // '-' after a lead byte
    await expect(parseUserImport(file)).rejects.toThrow('row 3 (line 4 of the file) has bytes');
  });

  it('refuses UTF-16 ("Unicode text") files with a message saying so', async () => {
    const file = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('username\tdisplayName\r\n', 'utf16le')]);
    await expect(parseUserImport(file)).rejects.toThrow(/UTF-16/);
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
