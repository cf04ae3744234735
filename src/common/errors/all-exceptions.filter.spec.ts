import { Test } from '@nestjs/testing';
import { QueryFailedError } from 'typeorm';
import { validateEnv } from '../../config/env';
import { EnvModule } from '../../config/env.module';
import { AppI18nModule } from '../i18n/i18n.module';
import { Translator } from '../i18n/translator';
import { ValidationFailed } from '../validation/validation';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { DomainError } from './domain-error';

function databaseError(code: string): QueryFailedError {
  return new QueryFailedError(
    'UPDATE users SET phone = $1',
    ['13812345678'],
    Object.assign(new Error('refused'), { code }),
  );
}

describe('AllExceptionsFilter', () => {
  let filter: AllExceptionsFilter;
  let translator: Translator;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [EnvModule.forRoot(validateEnv({ TZ_DEFAULT: 'Asia/Shanghai' })), AppI18nModule],
    }).compile();
    await moduleRef.init();
    translator = moduleRef.get(Translator);
    filter = new AllExceptionsFilter(translator);
  });

  it.each([
    ['23502', 'not null'],
    ['23514', 'check'],
    ['22021', 'bad character'],
    ['22003', 'numeric out of range'],
    ['22001', 'string too long'],
  ])('answers SQLSTATE %s (%s) with 400 INVALID_VALUE and no SQL', (code) => {
    const body = filter.toBody(databaseError(code), 'en');
    expect(body).toEqual({
      statusCode: 400,
      code: 'INVALID_VALUE',
      message: 'A value is missing, too long or not allowed',
    });
    expect(JSON.stringify(body)).not.toMatch(/UPDATE|users|1381/);
  });

  it('still answers other database errors with a plain 500', () => {
    expect(filter.toBody(databaseError('42703'), 'en')).toEqual({
      statusCode: 500,
      code: 'INTERNAL_ERROR',
      message: 'Something went wrong on our side',
    });
    expect(filter.toBody(new Error('boom'), 'zh-CN').message).toBe('服务器出错了，请稍后再试');
  });

  it('writes a domain error in the language asked, quoting instants in local time and statuses as words', () => {
    const early = new DomainError('ATTENDANCE_TOO_EARLY', 'conflict', {
      args: { opensAt: new Date('2027-01-05T00:30:00Z'), minutes: 30 },
      details: { opensAt: '2027-01-05T08:30:00+08:00' },
    });
    expect(filter.toBody(early, 'zh-CN')).toEqual({
      statusCode: 409,
      code: 'ATTENDANCE_TOO_EARLY',
      message: '考勤在开课前 30 分钟开始，即 2027-01-05 08:30',
      opensAt: '2027-01-05T08:30:00+08:00',
    });
    expect(filter.toBody(early, 'en').message).toBe(
      'Attendance opens 30 minutes before the session starts, at 2027-01-05 08:30',
    );
    const closed = new DomainError('CLASS_NOT_EDITABLE', 'conflict', { args: { status: 'completed' } });
    expect(filter.toBody(closed, 'zh-CN').message).toBe('已完成的培训班不能再修改');
    expect(filter.toBody(closed, 'en').message).toBe('A completed class can no longer be changed');
  });

  it('falls back from a variant to its base message', () => {
    const future = new DomainError('ORG_UNIT_IN_USE', 'conflict', { key: 'ORG_UNIT_IN_USE#certificate' });
    expect(filter.toBody(future, 'zh-CN').message).toBe('该单位仍被其他记录使用，不能删除');
  });

  it("lists every field's problems, in the language asked, with the constraint's values", () => {
    const failed = new ValidationFailed([
      { field: 'title', problems: [{ key: 'validation.maxLength', args: { field: 'title', constraint: 200 } }] },
      {
        field: 'records.0.status',
        problems: [{ key: 'validation.isIn', args: { field: 'records.0.status', constraint: ['present', 'late'] } }],
      },
    ]);
    expect(filter.toBody(failed, 'zh-CN')).toEqual({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message: 'title 最多 200 个字符；records.0.status 须是以下之一：present、late',
      errors: [
        { field: 'title', messages: ['title 最多 200 个字符'] },
        { field: 'records.0.status', messages: ['records.0.status 须是以下之一：present、late'] },
      ],
    });
    expect(filter.toBody(failed, 'en').message).toBe(
      'title must be at most 200 characters; records.0.status must be one of the following values: present, late',
    );
  });

  it('reads the language from Accept-Language: English when preferred, Chinese otherwise', () => {
    const of = (value?: string) => translator.languageOf(value === undefined ? {} : { 'accept-language': value });
    expect(of()).toBe('zh-CN');
    expect(of('en')).toBe('en');
    expect(of('en-US,en;q=0.9')).toBe('en');
    expect(of('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh-CN');
    expect(of('zh-TW')).toBe('zh-CN');
    expect(of('fr-FR')).toBe('zh-CN');
    expect(of('fr, en;q=0.5')).toBe('en');
  });
});
