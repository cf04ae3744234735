import { buildXlsx } from '../../test/support/xlsx-fixtures';
import { ImportFileError } from '../common/spreadsheet/table-reader';
import {
  eventDateFrom,
  eventKindFrom,
  eventRowFrom,
  MAX_EVENT_IMPORT_ROWS,
  parseEventImport,
} from './event-import.parser';

const csv = (rows: (string | number)[][]) => Buffer.from(`\uFEFF${rows.map((r) => r.join(',')).join('\r\n')}\r\n`);

describe('event import parser', () => {
  it('reads the kinds in Chinese and English', () => {
    expect(['讲座', '放映', '下乡', '指导', '其他'].map(eventKindFrom)).toEqual([
      'lecture',
      'screening',
      'outreach',
      'guidance',
      'other',
    ]);
    expect(['Lecture', ' screening ', 'OUTREACH', 'guidance', 'other', '文化下乡'].map(eventKindFrom)).toEqual([
      'lecture',
      'screening',
      'outreach',
      'guidance',
      'other',
      'outreach',
    ]);
    expect(eventKindFrom('培训')).toBeUndefined();
  });

  it('reads dates as written, as Excel serials and as ISO date-times; refuses impossible ones', () => {
    expect(eventDateFrom('2027-03-15')).toBe('2027-03-15');
    expect(eventDateFrom('2027/3/5')).toBe('2027-03-05');
    expect(eventDateFrom('2027年3月5日')).toBe('2027-03-05');
    expect(eventDateFrom('2027-03-05T00:00:00.000Z')).toBe('2027-03-05');
    expect(eventDateFrom('46461')).toBe('2027-03-15'); // Excel's serial for 2027-03-15
    expect(eventDateFrom('46461.75')).toBe('2027-03-15'); // a time of day is dropped
    expect(eventDateFrom('1')).toBe('1899-12-31');
    for (const bad of ['2027-02-30', '2027-13-01', '15/03/2027', 'tomorrow', '0', '-5', '']) {
      expect({ bad, date: eventDateFrom(bad) }).toEqual({ bad, date: undefined });
    }
  });

  it('checks a row in itself: required columns, counts, lengths, one-line title', () => {
    const good = { kind: '讲座', title: '防诈骗讲座', date: '2027-03-15', unit: 'A1', headCount: '1,200' };
    expect(eventRowFrom(good, 2)).toEqual({
      row: 2,
      problems: [],
      input: {
        kind: 'lecture',
        title: '防诈骗讲座',
        date: '2027-03-15',
        unit: 'A1',
        headCount: 1200,
        books: 0,
        discs: 0,
        leaflets: 0,
        notes: null,
      },
    });
    expect(eventRowFrom({ ...good, books: '3', discs: '0', leaflets: '1000000', notes: '好' }, 2).input).toMatchObject({
      books: 3,
      discs: 0,
      leaflets: 1_000_000,
      notes: '好',
    });
    const codes = (cells: Record<string, string>) => eventRowFrom(cells, 3).problems.map((p) => `${p.field}:${p.code}`);
    expect(codes({})).toEqual([
      'kind:REQUIRED',
      'title:REQUIRED',
      'date:REQUIRED',
      'unit:REQUIRED',
      'headCount:REQUIRED',
    ]);
    expect(codes({ ...good, kind: '培训' })).toEqual(['kind:INVALID']);
    expect(codes({ ...good, title: 'x'.repeat(201) })).toEqual(['title:TOO_LONG']);
    expect(codes({ ...good, title: 'x'.repeat(200) })).toEqual([]);
    expect(codes({ ...good, title: 'a\nb' })).toEqual(['title:INVALID_CHARACTER']);
    expect(codes({ ...good, date: '2027-02-29' })).toEqual(['date:INVALID']);
    expect(codes({ ...good, headCount: '0' })).toEqual(['headCount:RANGE']);
    expect(codes({ ...good, headCount: '100001' })).toEqual(['headCount:RANGE']);
    expect(codes({ ...good, headCount: '100000' })).toEqual([]);
    expect(codes({ ...good, headCount: '12.5' })).toEqual(['headCount:NUMBER']);
    expect(codes({ ...good, headCount: '十' })).toEqual(['headCount:NUMBER']);
    expect(codes({ ...good, books: '-1', discs: '1000001', leaflets: 'x' })).toEqual([
      'books:RANGE',
      'discs:RANGE',
      'leaflets:NUMBER',
    ]);
    expect(codes({ ...good, notes: 'x'.repeat(2001) })).toEqual(['notes:TOO_LONG']);
    expect(eventRowFrom({ ...good, headCount: '0' }, 3).problems[0].value).toBe('0');
  });

  it('reads an xlsx and a csv with Chinese headers, in any order, skipping blank rows and unknown columns', async () => {
    const header = ['单位', '类型', '标题', '日期', '人数', '图书', '光盘', '宣传册', '备注', '负责人'];
    const rows: (string | number)[][] = [
      header,
      ['A1', '讲座', '防诈骗讲座', 46461, 80, 10, 2, 300, '村委会', '张三'],
      ['', '', '', '', '', '', '', '', '', ''],
      ['甲一镇', 'screening', '露天电影', '2027-04-01', 200, '', '', '', '', ''],
    ];
    for (const file of [buildXlsx(rows), csv(rows)]) {
      const { rows: read, headers } = await parseEventImport(file);
      expect(read.map((r) => [r.row, r.input?.kind, r.input?.date, r.input?.unit, r.input?.headCount])).toEqual([
        [2, 'lecture', '2027-03-15', 'A1', 80],
        [4, 'screening', '2027-04-01', '甲一镇', 200],
      ]);
      expect(read[0].input).toMatchObject({ books: 10, discs: 2, leaflets: 300, notes: '村委会' });
      expect(headers.get('headCount')).toBe('人数');
    }
  });

  it('reads English headers', async () => {
    const { rows } = await parseEventImport(
      csv([
        ['kind', 'title', 'date', 'unit', 'headCount', 'books', 'discs', 'leaflets', 'notes'],
        ['guidance', 'On-site help', '2027-05-02', 'T1', 12, 1, 0, 0, ''],
      ]),
    );
    expect(rows[0].input).toMatchObject({ kind: 'guidance', headCount: 12, books: 1 });
  });

  it('refuses a file without the required headers, and one with too many rows', async () => {
    await expect(
      parseEventImport(
        csv([
          ['标题', '日期'],
          ['x', '2027-01-01'],
        ]),
      ),
    ).rejects.toMatchObject({
      reason: 'eventHeader',
    });
    const many = [
      ['类型', '标题', '日期', '单位', '人数'],
      ...Array.from({ length: MAX_EVENT_IMPORT_ROWS + 1 }, () => ['讲座', 't', '2027-01-01', 'A', 1]),
    ];
    const err = await parseEventImport(csv(many)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportFileError);
    expect((err as ImportFileError).reason).toBe('tooManyRows');
    const atMost = await parseEventImport(csv(many.slice(0, -1)));
    expect(atMost.rows).toHaveLength(MAX_EVENT_IMPORT_ROWS);
  });
});
