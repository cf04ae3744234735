import { readFile } from 'node:fs/promises';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import PDFDocument from 'pdfkit';
import { DomainError } from '../errors/domain-error';
import { Env } from '../../config/env';

/** The font name documents use for text (Chinese included). */
export const TEXT_FONT = 'text';

export interface PdfOptions {
  title: string;
  size?: string;
  layout?: 'portrait' | 'landscape';
  margin?: number;
}

const fontUnavailable = () =>
  new DomainError(
    'PDF_FONT_UNAVAILABLE',
    'PDFs cannot be made: the Chinese font (PDF_FONT_PATH) is missing on the server',
    'unavailable',
  );

/**
 * Makes PDFs with a Chinese font embedded, so names never print as boxes or question
 * marks: the one place sign-in sheets, certificates and other printouts are drawn.
 * PDFKit embeds only the glyphs a document uses, so a full CJK font costs little per file.
 * The font file is read once; if it is missing the service still starts (logged) and
 * each PDF request answers 503 PDF_FONT_UNAVAILABLE.
 */
@Injectable()
export class PdfService implements OnModuleInit {
  private readonly logger = new Logger(PdfService.name);
  private font?: Promise<Buffer>;

  constructor(private readonly env: Env) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.loadFont();
    } catch (e) {
      this.logger.warn(`PDF font not available (${this.env.PDF_FONT_PATH}): ${(e as Error).message}`);
    }
  }

  private loadFont(): Promise<Buffer> {
    this.font ??= readFile(this.env.PDF_FONT_PATH).catch((e: unknown) => {
      this.font = undefined; // try again next time (the font may be installed later)
      throw e;
    });
    return this.font;
  }

  /** Draws a document and answers its bytes. `draw` gets a document whose current font is TEXT_FONT. */
  async render(options: PdfOptions, draw: (doc: PDFKit.PDFDocument) => void | Promise<void>): Promise<Buffer> {
    let font: Buffer;
    try {
      font = await this.loadFont();
    } catch {
      throw fontUnavailable();
    }
    const doc = new PDFDocument({
      size: options.size ?? 'A4',
      layout: options.layout ?? 'portrait',
      margin: options.margin ?? 40,
      bufferPages: true,
      info: { Title: options.title, Creator: 'Training LMS' },
    });
    const chunks: Buffer[] = [];
    const done = new Promise<Buffer>((resolve, reject) => {
      doc.on('data', (chunk: Buffer) => chunks.push(chunk));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.on('error', reject);
    });
    try {
      doc.registerFont(
        TEXT_FONT,
        font,
        this.env.PDF_FONT_PATH.toLowerCase().endsWith('.ttc') ? this.env.PDF_FONT_NAME : undefined,
      );
      doc.font(TEXT_FONT);
    } catch (e) {
      this.logger.error(`PDF font ${this.env.PDF_FONT_PATH} could not be used: ${(e as Error).message}`);
      throw fontUnavailable();
    }
    await draw(doc);
    doc.end();
    return done;
  }
}
