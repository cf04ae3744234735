import { countOf, surveyBodyOf, surveyValuesOf, topicsOf } from './dashboard-forms';

describe('the dashboard’s and surveys’ form rules', () => {
  it('splits topics on commas, 、, semicolons and new lines, trimmed, empties dropped', () => {
    expect(topicsOf(' 智能手机、网上办事，短视频;; Excel\r\n\n 直播 ; ')).toEqual([
      '智能手机',
      '网上办事',
      '短视频',
      'Excel',
      '直播',
    ]);
    expect(topicsOf('   ')).toEqual([]);
  });

  it('reads counts: digits are numbers, empty is missing, anything else stays text for the DTO to refuse', () => {
    expect(countOf(' 12 ')).toBe(12);
    expect(countOf('0')).toBe(0);
    expect(countOf('')).toBeUndefined();
    expect(countOf(undefined)).toBeUndefined();
    expect(countOf('1.5')).toBe('1.5');
    expect(countOf('-1')).toBe('-1');
    expect(countOf('1234567890')).toBe('1234567890');
  });

  it('makes the API’s survey body: education only when any of it is filled in, empty notes null', () => {
    const values = surveyValuesOf({
      orgUnitId: 'u',
      year: '2026',
      staffCount: '5',
      none: '1',
      notes: '  ',
      topics: 'a、b',
    });
    expect(surveyBodyOf(values)).toEqual({
      orgUnitId: 'u',
      year: 2026,
      servicePoints: undefined,
      staffCount: 5,
      proficiency: { none: 1, basic: undefined, intermediate: undefined, advanced: undefined },
      education: null,
      topicsWanted: ['a', 'b'],
      notes: null,
    });
    expect(surveyBodyOf({ ...values, secondary: '2' }).education).toEqual({
      primary: undefined,
      secondary: 2,
      tertiary: undefined,
    });
  });
});
