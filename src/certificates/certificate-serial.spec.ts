import { formatSerial, serialPrefix, serialRange } from './certificate-serial';

describe('certificate serials', () => {
  it('read year, quarter and a number of at least four digits', () => {
    expect(formatSerial(serialPrefix(2026, 2), 37)).toBe('2026-Q2-0037');
    expect(formatSerial(serialPrefix(2027, 1), 1)).toBe('2027-Q1-0001');
    expect(formatSerial(serialPrefix(2027, 4), 9999)).toBe('2027-Q4-9999');
    expect(formatSerial(serialPrefix(2027, 4), 10000)).toBe('2027-Q4-10000');
  });

  it('hand out a counter update’s range in order', () => {
    expect(serialRange('2027-Q1', 12, 3)).toEqual(['2027-Q1-0010', '2027-Q1-0011', '2027-Q1-0012']);
    expect(serialRange('2027-Q1', 1, 1)).toEqual(['2027-Q1-0001']);
    expect(serialRange('2027-Q1', 5, 0)).toEqual([]);
  });

  it('refuse what cannot be a serial', () => {
    expect(() => serialPrefix(2027, 0)).toThrow(RangeError);
    expect(() => serialPrefix(2027, 5)).toThrow(RangeError);
    expect(() => serialPrefix(27, 1)).toThrow(RangeError);
    expect(() => formatSerial('2027-Q1', 0)).toThrow(RangeError);
    expect(() => formatSerial('2027-Q1', 1.5)).toThrow(RangeError);
  });
});
