import QRCode from 'qrcode';
import { QR_BOX, qrPath } from './certificate-qr';

/** The dark modules a path paints, read back from its `M x y h w v s h -w z` runs. */
function paintedModules(d: string, modulesPerSide: number): boolean[][] {
  const unit = QR_BOX / modulesPerSide;
  const grid = Array.from({ length: modulesPerSide }, () => Array<boolean>(modulesPerSide).fill(false));
  for (const m of d.matchAll(/M([\d.]+) ([\d.]+)h([\d.]+)v([\d.]+)h(-[\d.]+)z/g)) {
    const [x, y, w, h, back] = m.slice(1).map(Number);
    expect(back).toBeCloseTo(-w, 6);
    const row = Math.round(y / unit);
    const first = Math.round(x / unit);
    for (let r = row; r < row + Math.round(h / unit); r++) {
      for (let c = first; c < first + Math.round(w / unit); c++) {
        expect(grid[r][c]).toBe(false); // no module painted twice
        grid[r][c] = true;
      }
    }
  }
  return grid;
}

describe('qrPath', () => {
  const url = 'https://lms.example.org/api/certificates/verify/7K3Q-M9XD-0A1B-ZZ22-PQRS';

  it('paints exactly the dark modules of the code, inside a four-module quiet zone', () => {
    const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
    const side = modules.size + 8;
    const painted = paintedModules(qrPath(url), side);
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const inCode = r >= 4 && c >= 4 && r < side - 4 && c < side - 4;
        expect({ r, c, dark: painted[r][c] }).toEqual({ r, c, dark: inCode && !!modules.get(r - 4, c - 4) });
      }
    }
  });

  it('draws a rectangle per run, runs repeated in the rows below joined, all within the box', () => {
    const d = qrPath(url);
    const rectangles = d.match(/M/g)!.length;
    const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
    let runs = 0;
    for (let r = 0; r < modules.size; r++) {
      for (let c = 0; c < modules.size; c++) if (modules.get(r, c) && (c === 0 || !modules.get(r, c - 1))) runs++;
    }
    expect(rectangles).toBeLessThan(runs * 0.85);
    for (const n of d.match(/[\d.]+/g)!.map(Number)) expect(n).toBeLessThanOrEqual(QR_BOX);
  });

  it('differs for different addresses and is the same for the same one', () => {
    expect(qrPath(url)).toBe(qrPath(url));
    expect(qrPath(url)).not.toBe(qrPath(url.replace('PQRS', 'PQRT')));
  });
});
