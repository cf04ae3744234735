import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LANGUAGES, TRANSLATIONS } from './i18n.loader';

const SRC = join(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

const placeholders = (text: unknown) => [...String(text).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** Every message exists in both languages, quoting the same values, and every code the code raises has one. */
describe('translations', () => {
  const [zh, en] = LANGUAGES.map((lang) => TRANSLATIONS[lang]);

  it.each(Object.keys(TRANSLATIONS['zh-CN']))('%s: the same keys and placeholders in Chinese and English', (ns) => {
    const flat = (o: Record<string, unknown>) => Object.entries(o).filter(([, v]) => typeof v === 'string');
    expect(flat(zh[ns]).map(([k]) => k)).toEqual(flat(en[ns]).map(([k]) => k));
    for (const [key, text] of flat(zh[ns])) {
      expect({ key, placeholders: placeholders(text) }).toEqual({ key, placeholders: placeholders(en[ns][key]) });
    }
    // Chinese means Chinese: every Chinese message holds at least one Han character.
    for (const [key, text] of flat(zh[ns]).filter(([k]) => !['LIST_SEPARATOR', 'SEPARATOR'].includes(k))) {
      expect({ key, chinese: /[\u4e00-\u9fff]/.test(String(text)) }).toEqual({ key, chinese: true });
    }
  });

  it('has a message for every error code and message key the code raises', () => {
    const code = sources(SRC)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const codes = [...code.matchAll(/new DomainError\(\s*'([A-Z0-9_]+)'/g)].map((m) => m[1]);
    const keys = [...code.matchAll(/key: '([A-Z0-9_#a-zA-Z]+)'/g)].map((m) => m[1]).filter((k) => /^[A-Z]/.test(k));
    const missing = [...new Set([...codes, ...keys])].filter(
      (k) => !(k in zh.errors) && !(k.split('#')[0] in zh.errors),
    );
    // Codes that always come with a variant key have their variants instead.
    const variantsOnly = missing.filter((k) => !Object.keys(zh.errors).some((key) => key.startsWith(`${k}#`)));
    expect(variantsOnly).toEqual([]);
  });

  it('has every variant a template literal key can take', () => {
    const expected = [
      ...['plan', 'survey', 'venue', 'course', 'enrolment'].map((v) => `ORG_UNIT_IN_USE#${v}`),
      ...['open', 'start', 'complete', 'cancel'].map((v) => `INVALID_TRANSITION#${v}`),
      ...['trainer', 'venue'].map((v) => `SESSION_CONFLICT#${v}`),
      ...['proficiency', 'education'].map((v) => `SURVEY_COUNTS_EXCEED_STAFF#${v}`),
      ...['body', 'address'].map((v) => `INVALID_CHARACTER#${v}`),
      ...[
        'syntax',
        'part',
        'repeated',
        'freq',
        'countUntil',
        'weeklyMonthDay',
        'ordinalDay',
        'setpos',
        'until',
        'exdate',
      ].map((v) => `INVALID_RRULE#${v}`),
      ...['tooManyLines', 'tooManyRows', 'tooManyColumns', 'encoding', 'encodingLine', 'tooLarge', 'unreadable']
        .concat(['utf16', 'binary', 'csv', 'empty', 'xls', 'header'])
        .map((v) => `IMPORT_INVALID_FILE#${v}`),
    ];
    expect(expected.filter((k) => !(k in zh.errors))).toEqual([]);
    // And every reason the import parsers (and the file reading they share) give has its message.
    const parser = [
      'common/spreadsheet/table-reader.ts',
      'users/user-import.parser.ts',
      'quizzes/question-import.parser.ts',
    ]
      .map((f) => readFileSync(join(SRC, f), 'utf8'))
      .join('\n');
    const reasons = [...parser.matchAll(/new ImportFileError\([^;]*?,\s*'(\w+)'/gs)].map((m) => m[1]);
    expect(reasons.length).toBeGreaterThan(5);
    expect(reasons.filter((r) => !(`IMPORT_INVALID_FILE#${r}` in zh.errors))).toEqual([]);
  });

  it('has a message for every validation constraint and custom message the DTOs use', () => {
    const code = sources(SRC)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const custom = [...code.matchAll(/messageKey\('([A-Z_]+)'\)/g)].map((m) => m[1]);
    const decorators = [
      ...code.matchAll(/\b(Is[A-Z][A-Za-z0-9]*|Min|Max|MinLength|MaxLength|Matches|Array[A-Z][A-Za-z]*)\(/g),
    ]
      .map((m) => m[1])
      .filter((d) => !['IsOptional', 'IsOptionalNotNull', 'IsSingleLine', 'IsArray'].includes(d) || d === 'IsArray');
    // class-validator names a constraint after its decorator, lower camel case (IsUUID → isUuid, IsISO8601 → isIso8601).
    const names = decorators.map((d) =>
      d === 'IsUUID' ? 'isUuid' : d === 'IsISO8601' ? 'isIso8601' : d[0].toLowerCase() + d.slice(1),
    );
    const needed = [...new Set([...custom, ...names, 'whitelistValidation', 'unknownValue', 'nestedValidation'])];
    expect(needed.filter((k) => !(k in zh.validation))).toEqual([]);
  });
});
