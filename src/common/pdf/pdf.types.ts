/** The font name layouts use for text (Chinese included). */
export const TEXT_FONT = 'text';

export interface PdfOptions {
  title: string;
  size?: string;
  layout?: 'portrait' | 'landscape';
  margin?: number;
}

/** What a layout module exports: draws `data` on a document whose current font is TEXT_FONT. */
export type PdfDraw<T> = (doc: PDFKit.PDFDocument, data: T) => void | Promise<void>;

/** One document to make, as sent to a PDF worker thread (structured-clonable). */
export interface PdfJob {
  /** Absolute path of the layout module (exporting `draw`). */
  layout: string;
  data: unknown;
  options: PdfOptions;
  font: { path: string; name: string };
}

/** Thrown in the worker when the font cannot be read or used. */
export const FONT_ERROR = 'PDF_FONT_ERROR';
