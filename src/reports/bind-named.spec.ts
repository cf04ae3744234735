import { bindNamed } from './bind-named';

describe('bindNamed', () => {
  it('numbers the names in order of first use and repeats a number for a repeated name', () => {
    const [text, params] = bindNamed('SELECT $b::int + $a::int WHERE $b > 0 AND x::uuid[] = $c', {
      a: 1,
      b: 2,
      c: 3,
      unused: 4,
    });
    expect(text).toBe('SELECT $1::int + $2::int WHERE $1 > 0 AND x::uuid[] = $3');
    expect(params).toEqual([2, 1, 3]);
  });

  it('passes null values through and refuses a name it has no value for', () => {
    expect(bindNamed('SELECT $v', { v: null })).toEqual(['SELECT $1', [null]]);
    expect(() => bindNamed('SELECT $missing', {})).toThrow('no value for $missing');
  });
});
