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

/**
 * What a PDF worker answers. A font that cannot be read or used is an answer, not a thrown
 * error: an error's own fields do not survive the trip back from the worker thread.
 */
export type PdfResult = { pdf: Uint8Array } | { fontError: string };
