import { cspSafe, renderChart } from './charts';

describe('renderChart', () => {
  const data = {
    categories: ['<script>alert(1)</script>', '乙镇"'],
    series: [
      { name: '人次', values: [3, 5] },
      { name: '班次', values: [1, 2] },
    ],
  };

  it.each(['bar', 'line', 'pie'] as const)(
    'draws a %s chart the page CSP allows: no styles, no scripts, escaped texts',
    (kind) => {
      const svg = renderChart(data, { kind });
      expect(svg.startsWith('<svg aria-hidden="true"')).toBe(true);
      expect(svg).not.toMatch(/style/i);
      expect(svg).not.toMatch(/ecmeta_|class=/);
      expect(svg).not.toContain('<script>');
      expect(svg).toContain('&lt;script&gt;');
      expect(svg).toContain('font-family="Noto Sans CJK SC');
    },
  );

  it('grows a horizontal chart with its categories', () => {
    const many = {
      categories: Array.from({ length: 20 }, (_, i) => `镇${i}`),
      series: [{ name: '人次', values: Array(20).fill(1) }],
    };
    expect(renderChart(many, { kind: 'bar', horizontal: true })).toMatch(/height="620"/);
  });

  it('turns style rules into presentation attributes and drops the others', () => {
    expect(
      cspSafe('<svg x="1"><text style="font-size:12px;cursor:pointer;fill:#000;">a</text><style>.a{}</style></svg>'),
    ).toBe('<svg aria-hidden="true" focusable="false" x="1"><text font-size="12px" fill="#000">a</text></svg>');
  });
});
