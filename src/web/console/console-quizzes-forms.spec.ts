import { formNumber, localFields, localInstant } from './console-quizzes-forms';

describe('console quizzes forms', () => {
  it('reads numbers as typed, full-width digits too; empty is undefined, words NaN', () => {
    expect(formNumber(' 15 ')).toBe(15);
    expect(formNumber('３.５')).toBe(3.5);
    expect(formNumber('.5')).toBe(0.5);
    expect(formNumber('')).toBeUndefined();
    expect(formNumber(undefined)).toBeUndefined();
    for (const raw of ['两分', '1e3', '1,5', '0x10', '1.2.3']) expect(formNumber(raw)).toBeNaN();
  });

  it('turns a local date and time into an instant of the centre’s zone, and back', () => {
    expect(localInstant('2030-03-01', '09:00', 'Asia/Shanghai')).toBe('2030-03-01T09:00:00+08:00');
    expect(localInstant('', '', 'Asia/Shanghai')).toBeUndefined();
    for (const [d, t] of [
      ['2030-03-01', ''],
      ['', '09:00'],
      ['2030-02-30', '09:00'],
      ['2030-03-01', '24:00'],
      ['1.3.2030', '09:00'],
    ]) {
      expect(localInstant(d, t, 'Asia/Shanghai')).toBeNull();
    }
    expect(localFields(new Date('2030-03-01T01:00:00Z'), 'Asia/Shanghai')).toEqual({
      date: '2030-03-01',
      time: '09:00',
    });
  });
});
