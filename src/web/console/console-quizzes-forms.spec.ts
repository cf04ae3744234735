import { consolePager, formNumber, localFields, localInstant, pageNumber } from './console-quizzes-forms';

describe('console quizzes forms', () => {
  it('pages keep the filters in the address and drop empty ones', () => {
    expect(consolePager('/console/questions', { courseId: 'c1', q: '', type: 'single' }, 2, 20, 45)).toEqual({
      prev: '/console/questions?courseId=c1&type=single&page=1',
      next: '/console/questions?courseId=c1&type=single&page=3',
      page: 2,
      pages: 3,
      total: 45,
    });
    expect(consolePager('/console/quizzes', {}, 1, 20, 20)).toBeNull();
    // Past the end: a way back to the last page, none further.
    expect(consolePager('/console/quizzes', {}, 9, 20, 21)).toMatchObject({
      prev: '/console/quizzes?page=2',
      next: null,
    });
  });

  it('reads ?page= as a whole number from 1, else 1', () => {
    expect(pageNumber('3')).toBe(3);
    for (const raw of [undefined, '', '0', '-1', '2.5', 'x', '9999999', ['2']]) expect(pageNumber(raw)).toBe(1);
  });

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
