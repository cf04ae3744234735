import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { FONT_ERROR, type PdfDraw, type PdfJob, TEXT_FONT } from './pdf.types';

/** The font file, read once per worker thread (a CJK collection is about 20 MB). */
const fonts = new Map<string, Buffer>();

function fontError(message: string): Error {
  return Object.assign(new Error(message), { code: FONT_ERROR });
}

/**
 * Runs in a worker thread (PdfService's pool): laying out text is CPU work that would
 * otherwise hold up every other request for as long as a long document takes.
 */
export default async function render(job: PdfJob): Promise<Uint8Array> {
  let font = fonts.get(job.font.path);
  if (!font) {
    try {
      font = readFileSync(job.font.path);
    } catch (e) {
      throw fontError((e as Error).message);
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
    throw fontError((e as Error).message);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { draw } = require(job.layout) as { draw: PdfDraw<unknown> };
  await draw(doc, job.data);
  doc.end();
  const pdf = await done;
  return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
}
