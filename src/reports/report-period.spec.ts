import { reportPeriod } from './report-period';

describe('reportPeriod', () => {
  it('covers a whole year in the centre’s zone: local midnight to local midnight', () => {
    const p = reportPeriod(2027, null, 'Asia/Shanghai');
    expect(p).toMatchObject({ from: '2027-01-01', to: '2027-12-31', toExclusive: '2028-01-01' });
    expect(p.start.toISOString()).toBe('2026-12-31T16:00:00.000Z');
    expect(p.end.toISOString()).toBe('2027-12-31T16:00:00.000Z');
  });

  it.each([
    [1, '2028-01-01', '2028-03-31', '2028-04-01'],
    [2, '2028-04-01', '2028-06-30', '2028-07-01'],
    [3, '2028-07-01', '2028-09-30', '2028-10-01'],
    [4, '2028-10-01', '2028-12-31', '2029-01-01'],
  ])('quarter %i runs from %s to %s', (quarter, from, to, toExclusive) => {
    expect(reportPeriod(2028, quarter, 'Asia/Shanghai')).toMatchObject({ quarter, from, to, toExclusive });
  });

  it('knows a leap February ends a first quarter like any other', () => {
    expect(reportPeriod(2028, 1, 'UTC').to).toBe('2028-03-31');
  });

  it('follows daylight saving in zones that have it', () => {
    // Berlin is UTC+1 in January and UTC+2 from the last Sunday of March.
    const q2 = reportPeriod(2027, 2, 'Europe/Berlin');
    expect(q2.start.toISOString()).toBe('2027-03-31T22:00:00.000Z');
    expect(reportPeriod(2027, 1, 'Europe/Berlin').start.toISOString()).toBe('2026-12-31T23:00:00.000Z');
  });
});
