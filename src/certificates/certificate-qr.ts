import QRCode from 'qrcode';

/** The side of the square a QR path fills, in template units: the template scales it (see templates/certificates/README.md). */
export const QR_BOX = 100;
/** Light modules around the code, so scanners find its edges on any background. */
const QUIET_ZONE = 4;

const num = (n: number) => String(Math.round(n * 1000) / 1000);

/**
 * A QR code of `text` as the `d` of one SVG path, filling a QR_BOX × QR_BOX square with its
 * quiet zone: each run of dark modules in a row is a rectangle (`M x y h w v s h -w z`), and a
 * run repeated in the rows below it grows taller instead of starting another, so a code is
 * a few hundred short commands (the PDF renderer's cost is per command), vector at any size.
 * Error correction M (15%): a seal stamped across a corner still scans.
 */
export function qrPath(text: string): string {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const unit = QR_BOX / (size + 2 * QUIET_ZONE);
  const taken = new Uint8Array(size * size);
  const parts: string[] = [];
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (!modules.get(row, col) || taken[row * size + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && modules.get(row, col) && !taken[row * size + col]) col++;
      // The same run (not part of a wider one) in the rows below joins this rectangle.
      const sameRun = (r: number) =>
        (start === 0 || !modules.get(r, start - 1)) &&
        (col === size || !modules.get(r, col)) &&
        Array.from({ length: col - start }, (_, i) => start + i).every(
          (c) => modules.get(r, c) && !taken[r * size + c],
        );
      let rows = 1;
      while (row + rows < size && sameRun(row + rows)) rows++;
      for (let r = row; r < row + rows; r++) taken.fill(1, r * size + start, r * size + col);
      const x = (start + QUIET_ZONE) * unit;
      const y = (row + QUIET_ZONE) * unit;
      const w = (col - start) * unit;
      parts.push(`M${num(x)} ${num(y)}h${num(w)}v${num(rows * unit)}h${num(-w)}z`);
    }
  }
  return parts.join('');
}
