import { QueryFailedError } from 'typeorm';
import { AllExceptionsFilter } from './all-exceptions.filter';

function databaseError(code: string): QueryFailedError {
  return new QueryFailedError(
    'UPDATE users SET phone = $1',
    ['13812345678'],
    Object.assign(new Error('refused'), { code }),
  );
}

describe('AllExceptionsFilter', () => {
  const filter = new AllExceptionsFilter();

  it.each([
    ['23502', 'not null'],
    ['23514', 'check'],
    ['22021', 'bad character'],
    ['22003', 'numeric out of range'],
    ['22001', 'string too long'],
  ])('answers SQLSTATE %s (%s) with 400 INVALID_VALUE and no SQL', (code) => {
    const body = filter.toBody(databaseError(code));
    expect(body).toEqual({ statusCode: 400, code: 'INVALID_VALUE', message: expect.any(String) });
    expect(JSON.stringify(body)).not.toMatch(/UPDATE|users|1381/);
  });

  it('still answers other database errors with a plain 500', () => {
    expect(filter.toBody(databaseError('42703'))).toEqual({
      statusCode: 500,
      code: 'INTERNAL_ERROR',
      message: 'Something went wrong on our side',
    });
  });
});
