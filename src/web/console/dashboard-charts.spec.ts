import type { ChartData, ChartOptions } from './charts';
import { ChartMemo } from './dashboard-charts';

describe('ChartMemo', () => {
  const data = (n: number): ChartData => ({ categories: ['1月'], series: [{ name: '人次', values: [n] }] });
  const line: ChartOptions = { kind: 'line', width: 480 };

  it('draws a chart once for the same numbers and options, again when either changes', () => {
    const draw = jest.fn((d: ChartData, o: ChartOptions) => `<svg>${o.kind}${d.series[0].values[0]}</svg>`);
    const memo = new ChartMemo(10, draw);
    expect(memo.render(data(3), line)).toBe('<svg>line3</svg>');
    expect(memo.render(data(3), { kind: 'line', width: 480 })).toBe('<svg>line3</svg>');
    expect(draw).toHaveBeenCalledTimes(1);
    expect(memo.render(data(4), line)).toBe('<svg>line4</svg>');
    expect(memo.render(data(3), { kind: 'bar', width: 480 })).toBe('<svg>bar3</svg>');
    expect(draw).toHaveBeenCalledTimes(3);
  });

  it('keeps at most its size, dropping the least recently used', () => {
    const draw = jest.fn((d: ChartData) => String(d.series[0].values[0]));
    const memo = new ChartMemo(2, draw);
    memo.render(data(1), line);
    memo.render(data(2), line);
    memo.render(data(1), line); // 1 is now the most recent
    memo.render(data(3), line); // drops 2
    expect(draw).toHaveBeenCalledTimes(3);
    memo.render(data(1), line);
    expect(draw).toHaveBeenCalledTimes(3);
    memo.render(data(2), line);
    expect(draw).toHaveBeenCalledTimes(4);
  });

  it('draws real charts by default', () => {
    expect(new ChartMemo().render(data(5), line)).toMatch(/^<svg aria-hidden="true"/);
  });
});
