import * as echarts from 'echarts';

/** One series of a chart: its name (the legend's) and a value per category. */
export interface ChartSeries {
  name: string;
  values: number[];
}

/** What a chart shows: categories along the axis (months, townships) and one or more series. */
export interface ChartData {
  categories: string[];
  series: ChartSeries[];
}

export interface ChartOptions {
  kind: 'bar' | 'line' | 'pie';
  width?: number;
  height?: number;
  /** Bars along the vertical axis (long category names such as townships). */
  horizontal?: boolean;
}

/** Colours at 3:1 or more against white (WCAG 1.4.11 for graphics), told apart by more than hue. */
const PALETTE = ['#1f5fbf', '#b35c00', '#0d6e4f', '#8a2d8f', '#a4262c', '#4a5561'];
// No quotes: ECharts writes the family into a style attribute as it is.
const FONT = 'Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif';

/**
 * A chart drawn on the server as SVG by ECharts' server-side renderer, so the browser gets
 * no chart library: a page embeds the string as it is (`{{{chart}}}`) beside a table of the
 * same numbers for screen readers (the SVG itself is `aria-hidden`).
 *
 * The pages' CSP allows no inline styles, so the SVG is made to need none: ECharts' hover
 * `<style>` block, its `ecmeta_*` attributes and class names go, and each `style="font-size:…;
 * font-family:…"` becomes the equivalent presentation attributes. Texts (township names typed by
 * admins) are escaped by ECharts itself.
 */
export function renderChart(data: ChartData, options: ChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? (options.horizontal ? Math.max(200, 60 + data.categories.length * 28) : 320);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(optionFor(data, options));
    return cspSafe(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }
}

function optionFor(data: ChartData, options: ChartOptions): echarts.EChartsOption {
  const base: echarts.EChartsOption = {
    animation: false,
    color: PALETTE,
    textStyle: { fontFamily: FONT, fontSize: 13, color: '#1d2329' },
    legend: data.series.length > 1 || options.kind === 'pie' ? { top: 0, textStyle: { fontSize: 13 } } : undefined,
  };
  if (options.kind === 'pie') {
    const [series] = data.series;
    return {
      ...base,
      series: [
        {
          type: 'pie',
          radius: ['35%', '65%'],
          top: 30,
          label: { formatter: '{b}: {c}', fontSize: 13, color: '#1d2329' },
          data: data.categories.map((name, i) => ({ name, value: series?.values[i] ?? 0 })),
        },
      ],
    };
  }
  const category = { type: 'category' as const, data: data.categories, axisLabel: { color: '#1d2329', fontSize: 13 } };
  const value = { type: 'value' as const, minInterval: 1, axisLabel: { color: '#1d2329', fontSize: 13 } };
  return {
    ...base,
    grid: { left: 8, right: 24, top: data.series.length > 1 ? 40 : 16, bottom: 8, containLabel: true },
    xAxis: options.horizontal ? value : category,
    yAxis: options.horizontal ? { ...category, inverse: true } : value,
    series: data.series.map((s, i) => ({
      name: s.name,
      type: options.kind,
      data: s.values,
      barMaxWidth: 28,
      symbol: ['circle', 'rect', 'triangle', 'diamond'][i % 4],
      symbolSize: 8,
      lineStyle: options.kind === 'line' ? { width: 3, type: i % 2 ? 'dashed' : 'solid' } : undefined,
    })),
  };
}

const PRESENTATION = new Set(['font-size', 'font-family', 'font-weight', 'font-style', 'fill', 'stroke', 'opacity']);

/** The SVG without inline `<style>`, `style=""`, ECharts' metadata and hover classes; `aria-hidden` for its table. */
export function cspSafe(svg: string): string {
  return svg
    .replace(/<style[\s\S]*?<\/style>\s*/g, '')
    .replace(/\s(?:ecmeta_[a-z_]+|class|pointer-events)="[^"]*"/g, '')
    .replace(/\sstyle="([^"]*)"/g, (_, css: string) =>
      css
        .split(';')
        .map((rule) => rule.split(':'))
        .filter(([name, val]) => val !== undefined && PRESENTATION.has(name.trim()))
        .map(([name, ...val]) => ` ${name.trim()}="${val.join(':').trim().replace(/"/g, '&quot;')}"`)
        .join(''),
    )
    .replace(/^<svg /, '<svg aria-hidden="true" focusable="false" ');
}
