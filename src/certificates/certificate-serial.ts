/**
 * Certificate serials: `YYYY-Qn-NNNN`, the plan year and the class's quarter, then a number
 * counted per centre and prefix from 1 (four digits at least; the 10,000th is `2027-Q1-10000`).
 * Unique per centre (a database constraint); numbers skipped by a rolled-back issue stay unused.
 */
export function serialPrefix(year: number, quarter: number): string {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`Bad year ${year}`);
  if (!Number.isInteger(quarter) || quarter < 1 || quarter > 4) throw new RangeError(`Bad quarter ${quarter}`);
  return `${year}-Q${quarter}`;
}

export function formatSerial(prefix: string, n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Bad serial number ${n}`);
  return `${prefix}-${String(n).padStart(4, '0')}`;
}

/**
 * The serials numbered `last - count + 1` to `last`: what one counter update of `count`
 * (`last = last + count … RETURNING last`) hands out, in order.
 */
export function serialRange(prefix: string, last: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => formatSerial(prefix, last - count + 1 + i));
}
