import { type ChartData, type ChartOptions, renderChart } from './charts';

/**
 * renderChart with a memory: the same numbers drawn the same way give the same SVG, so a chart
 * is drawn once and served from here until its numbers change (ECharts' server-side rendering
 * costs several milliseconds of CPU per chart; the dashboard is opened again and again through
 * the day by the same few admins, on numbers that change a few times a day). At most `size`
 * charts are kept, the least recently used dropped first.
 */
export class ChartMemo {
  private readonly svgs = new Map<string, string>();

  constructor(
    private readonly size = 100,
    private readonly draw: (data: ChartData, options: ChartOptions) => string = renderChart,
  ) {}

  render(data: ChartData, options: ChartOptions): string {
    const key = JSON.stringify([data, options]);
    const kept = this.svgs.get(key);
    if (kept !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.svgs.delete(key);
      this.svgs.set(key, kept);
      return kept;
    }
    const svg = this.draw(data, options);
    this.svgs.set(key, svg);
    if (this.svgs.size > this.size) this.svgs.delete(this.svgs.keys().next().value as string);
    return svg;
  }
}

/** The one memo of the dashboard's and surveys' charts in this process. */
export const consoleCharts = new ChartMemo();
