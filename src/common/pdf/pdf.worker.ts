import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import path from 'node:path';
import { type PdfDraw, type PdfJob, type PdfResult, TEXT_FONT } from './pdf.types';

/** The font file, read once per worker thread (a CJK collection is about 20 MB). */
const fonts = new Map<string, Buffer>();

/** The application's own code (src/ or dist/src/): the only place layouts are loaded from. */
const APP_ROOT = path.resolve(__dirname, '..', '..');

function layoutModule(file: string): { draw: PdfDraw<unknown> } {
  const resolved = path.resolve(file);
  if (!resolved.startsWith(APP_ROOT + path.sep) || !/\.layout\.(js|ts)$/.test(resolved)) {
    throw new Error(`Not a layout module of this application: ${file}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(resolved) as { draw: PdfDraw<unknown> };
}

/**
 * Runs in a worker thread (PdfService's pool): laying out text is CPU work that would
 * otherwise hold up every other request for as long as a long document takes.
 */
export default async function render(job: PdfJob): Promise<PdfResult> {
  const { draw } = layoutModule(job.layout);
  let font = fonts.get(job.font.path);
  if (!font) {
    try {
      font = readFileSync(job.font.path);
    } catch (e) {
      return { fontError: (e as Error).message };
    }
    fonts.set(job.font.path, font);
  }
  const doc = new PDFDocument({
    size: job.options.size ?? 'A4',
    layout: job.options.layout ?? 'portrait',
    margin: job.options.margin ?? 40,
    bufferPages: true,
    info: { Title: job.options.title, Creator: 'Training LMS' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  try {
    // A TTC collection holds several fonts: pick one by its PostScript name.
    doc.registerFont(TEXT_FONT, font, job.font.path.toLowerCase().endsWith('.ttc') ? job.font.name : undefined);
    doc.font(TEXT_FONT);
  } catch (e) {
    fonts.delete(job.font.path);
    return { fontError: (e as Error).message };
  }
  await draw(doc, job.data);
  doc.end();
  const pdf = await done;
  return { pdf: new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength) };
}
