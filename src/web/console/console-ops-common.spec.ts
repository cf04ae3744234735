import { pageParam, yearChoices, yearParam } from './console-ops-common';

describe('the console ops pages’ query helpers', () => {
  it('reads a year between 2000 and 2100, else nothing', () => {
    expect(yearParam('2026')).toBe(2026);
    expect(['1999', '2101', '26', 'abc', '2026.5', undefined, ['2026']].map(yearParam)).toEqual(
      Array(7).fill(undefined),
    );
  });

  it('reads a page number, 1 by default, capped', () => {
    expect(pageParam('3')).toBe(3);
    expect(['0', '-2', 'x', undefined, '1e3'].map(pageParam)).toEqual([1, 1, 1, 1, 1]);
    expect(pageParam('999999')).toBe(100_000);
  });

  it('offers next year, this one and four back, and keeps a chosen year outside them', () => {
    expect(yearChoices(2026, 2026).map((y) => y.value)).toEqual([2027, 2026, 2025, 2024, 2023, 2022]);
    expect(
      yearChoices(2026, 2026)
        .filter((y) => y.selected)
        .map((y) => y.value),
    ).toEqual([2026]);
    expect(
      yearChoices(2026, 2010)
        .map((y) => y.value)
        .slice(-1),
    ).toEqual([2010]);
  });
});
