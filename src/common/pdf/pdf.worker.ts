import { readFileSync } from 'node:fs';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import path from 'node:path';
import { type PdfDraw, type PdfJob, type PdfResult, TEXT_FONT } from './pdf.types';

/**
 * The font, read and parsed once per worker thread (a CJK collection is about 20 MB): PDFKit
 * takes a parsed fontkit font in `registerFont`, where a Buffer would be parsed again for every
 * document. With it, the text layouts PDFKit makes (glyph runs in the font's units, the same in
 * every document) are kept across documents, so a page of fixed wording is shaped once.
 */
interface ParsedFont {
  font: fontkit.Font;
  layouts: Record<string, unknown>;
}
const fonts = new Map<string, ParsedFont>();
/** Distinct strings whose layout is kept per font (names differ per document); the cache starts over past this. */
const MAX_CACHED_LAYOUTS = 20_000;

function parseFont(file: string, name: string): ParsedFont {
  const key = `${file}\0${name}`;
  let parsed = fonts.get(key);
  if (!parsed) {
    const data = readFileSync(file);
    // A TTC collection holds several fonts: pick one by its PostScript name.
    const opened = fontkit.create(data, file.toLowerCase().endsWith('.ttc') ? name : undefined);
    if (!('layout' in opened)) throw new Error(`${file} holds no font named ${name}`);
    parsed = { font: opened, layouts: Object.create(null) as Record<string, unknown> };
    fonts.set(key, parsed);
  }
  if (Object.keys(parsed.layouts).length > MAX_CACHED_LAYOUTS)
    parsed.layouts = Object.create(null) as Record<string, unknown>;
  return parsed;
}

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
  let font: ParsedFont;
  try {
    font = parseFont(job.font.path, job.font.name);
  } catch (e) {
    return { fontError: (e as Error).message };
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
    doc.registerFont(TEXT_FONT, font.font as unknown as PDFKit.Mixins.PDFFontSource);
    doc.font(TEXT_FONT);
    // PDFKit's own per-document layout cache (EmbeddedFont.layoutCache), shared across this thread's documents.
    (doc as unknown as { _font: { layoutCache?: Record<string, unknown> } })._font.layoutCache = font.layouts;
  } catch (e) {
    fonts.delete(`${job.font.path}\0${job.font.name}`);
    return { fontError: (e as Error).message };
  }
  await draw(doc, job.data);
  doc.end();
  const pdf = await done;
  return { pdf: new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength) };
}
