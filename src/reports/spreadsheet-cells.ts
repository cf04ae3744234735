import type ExcelJS from 'exceljs';

/** The house style of the report files: CSV cells and lines, print setup. */

/** One CSV cell: quoted when it needs it; a leading = + - @ tab or CR is prefixed so spreadsheets do not run it as a formula. */
export function csvCell(value: string | number | null | undefined): string {
  const text = String(value ?? '');
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Lines of cells as a CSV file: UTF-8 with a BOM (so Excel opens the Chinese text correctly), CRLF line ends. */
export function csvFile(rows: (string | number | null | undefined)[][]): Buffer {
  const lines = rows.map((r) => r.map(csvCell).join(','));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')]);
}

/**
 * A4, fitted to the page width, the rows down to the header (`headerRow`: title rows above it)
 * repeated on every printed page and frozen on screen.
 */
export function forPrinting(sheet: ExcelJS.Worksheet, orientation: 'portrait' | 'landscape', headerRow = 2): void {
  sheet.pageSetup = { paperSize: 9, orientation, fitToPage: true, fitToWidth: 1, fitToHeight: 0 };
  sheet.pageSetup.printTitlesRow = `1:${headerRow}`;
  sheet.views = [{ state: 'frozen', ySplit: headerRow }];
}
