import { IANAZone } from 'luxon';
import { formatInstant, jsonWithLocalInstants, offsetAt, daysBetween } from './zoned-time';

describe('instants as people read them', () => {
  it('writes an instant in the zone’s offset, milliseconds only when there are some', () => {
    expect(formatInstant(new Date('2027-01-05T01:00:00Z'), 'Asia/Shanghai')).toBe('2027-01-05T09:00:00+08:00');
    expect(formatInstant(new Date('2027-01-04T20:30:00.250Z'), 'Asia/Shanghai')).toBe('2027-01-05T04:30:00.250+08:00');
    expect(formatInstant(new Date('2027-01-05T01:00:00Z'), 'America/St_Johns')).toBe('2027-01-04T21:30:00-03:30');
    expect(formatInstant(new Date('2027-01-05T01:00:00Z'), 'UTC')).toBe('2027-01-05T01:00:00+00:00');
    expect(formatInstant(new Date('nonsense'), 'UTC')).toBeNull();
    // Before 1901 Shanghai kept local mean time, +08:05:43: offsets are written in whole minutes.
    expect(formatInstant(new Date('1800-01-01T00:00:00Z'), 'Asia/Shanghai')).toBe('1800-01-01T08:06:00+08:06');
  });

  it('follows daylight saving on both sides of a change, and inside the hour of the change', () => {
    // Berlin: 2026-03-29 01:00Z (03:00 local) to summer time; 2026-10-25 01:00Z back.
    expect(formatInstant(new Date('2026-03-29T00:59:59Z'), 'Europe/Berlin')).toBe('2026-03-29T01:59:59+01:00');
    expect(formatInstant(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe('2026-03-29T03:00:00+02:00');
    expect(formatInstant(new Date('2026-10-25T00:30:00Z'), 'Europe/Berlin')).toBe('2026-10-25T02:30:00+02:00');
    expect(formatInstant(new Date('2026-10-25T01:30:00Z'), 'Europe/Berlin')).toBe('2026-10-25T02:30:00+01:00');
  });

  it('caches per hour without ever differing from the zone rules', () => {
    const rules = IANAZone.create('America/New_York');
    // Every 7 minutes over 2026, twice (the second pass is served from the cache).
    for (let pass = 0; pass < 2; pass++) {
      for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 7 * 60_000) {
        const got = offsetAt('America/New_York', ms);
        if (got !== rules.offset(ms)) throw new Error(`offset differs at ${new Date(ms).toISOString()}`);
      }
    }
    expect(offsetAt('America/New_York', Date.UTC(2026, 6, 1))).toBe(-240);
  });

  it('serialises every Date of an answer, nested or in arrays, and leaves strings alone', () => {
    const stringify = jsonWithLocalInstants('Asia/Shanghai');
    const at = new Date('2027-01-05T01:00:00Z');
    expect(JSON.parse(stringify({ at, list: [{ at }], text: '2027-01-05T01:00:00.000Z', none: null }))).toEqual({
      at: '2027-01-05T09:00:00+08:00',
      list: [{ at: '2027-01-05T09:00:00+08:00' }],
      text: '2027-01-05T01:00:00.000Z',
      none: null,
    });
  });
});

describe('daysBetween', () => {
  it('counts whole local days, across months, years and backwards', () => {
    expect(daysBetween('2026-12-01', '2026-12-01')).toBe(0);
    expect(daysBetween('2026-12-30', '2027-01-02')).toBe(3);
    expect(daysBetween('2027-03-01', '2027-02-26')).toBe(-3);
  });
});
