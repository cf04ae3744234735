import { holdUntil, quietUntil, startOf } from './quiet-hours';

const zone = 'Asia/Shanghai';
const at = (local: string) => new Date(`${local}+08:00`);

describe('quietUntil', () => {
  it.each([
    ['2026-12-01T20:59:59', null],
    ['2026-12-01T21:00:00', '2026-12-02T08:00:00'],
    ['2026-12-01T23:59:00', '2026-12-02T08:00:00'],
    ['2026-12-02T00:00:00', '2026-12-02T08:00:00'],
    ['2026-12-02T07:59:59', '2026-12-02T08:00:00'],
    ['2026-12-02T08:00:00', null],
    ['2026-12-02T12:00:00', null],
  ])('21:00-08:00 at %s local waits until %s', (local, until) => {
    expect(quietUntil(at(local), '21:00-08:00', zone)?.getTime() ?? null).toBe(until ? at(until).getTime() : null);
  });

  it('handles a window within one day', () => {
    expect(quietUntil(at('2026-12-01T12:30:00'), '12:00-14:00', zone)).toEqual(at('2026-12-01T14:00:00'));
    expect(quietUntil(at('2026-12-01T14:00:00'), '12:00-14:00', zone)).toBeNull();
    expect(quietUntil(at('2026-12-01T11:59:00'), '12:00-14:00', zone)).toBeNull();
  });

  it('has no quiet hours when empty or zero-length', () => {
    expect(quietUntil(at('2026-12-01T23:00:00'), '', zone)).toBeNull();
    expect(quietUntil(at('2026-12-01T23:00:00'), '08:00-08:00', zone)).toBeNull();
  });

  it('reads the wall clock of the zone, across a daylight-saving change', () => {
    // Europe/Berlin springs forward at 02:00 on 2027-03-28: 22:00 the evening before waits until 07:00 local.
    const until = quietUntil(new Date('2027-03-27T21:00:00Z'), '22:00-07:00', 'Europe/Berlin');
    expect(until).toEqual(new Date('2027-03-28T05:00:00Z'));
  });
});

describe('holdUntil', () => {
  const night = at('2026-12-01T22:00:00');
  const morning = at('2026-12-02T08:00:00');

  it('holds a message about nothing in particular until morning', () => {
    expect(holdUntil(night, '21:00-08:00', zone)).toEqual(morning);
  });

  it('holds a message about a session well after the quiet hours', () => {
    expect(holdUntil(night, '21:00-08:00', zone, at('2026-12-02T14:00:00'))).toEqual(morning);
    expect(holdUntil(night, '21:00-08:00', zone, at('2026-12-02T10:00:00'))).toEqual(morning);
  });

  it('sends at once a message about a session that begins before, or soon after, the quiet hours end', () => {
    expect(holdUntil(night, '21:00-08:00', zone, at('2026-12-02T09:59:00'))).toBeNull();
    expect(holdUntil(night, '21:00-08:00', zone, at('2026-12-02T07:00:00'))).toBeNull();
  });

  it('sends at once outside the quiet hours', () => {
    expect(holdUntil(at('2026-12-02T12:00:00'), '21:00-08:00', zone, at('2026-12-09T12:00:00'))).toBeNull();
  });
});

describe('startOf', () => {
  it('reads the earliest start the data names, or nothing', () => {
    expect(startOf({ startsAt: '2026-12-02T01:00:00.000Z' })).toEqual(new Date('2026-12-02T01:00:00.000Z'));
    // A moved session: the old start is what people would come to.
    expect(startOf({ startsAt: '2026-12-09T01:00:00.000Z', previousStartsAt: '2026-12-02T00:30:00.000Z' })).toEqual(
      new Date('2026-12-02T00:30:00.000Z'),
    );
    expect(startOf({ firstSessionAt: '2026-12-02T00:30:00.000Z' })).toEqual(new Date('2026-12-02T00:30:00.000Z'));
    expect(startOf({ startsAt: 'soon' })).toBeUndefined();
    expect(startOf({ startDate: '2026-12-02' })).toBeUndefined();
  });
});
