import { access } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Piscina } from 'piscina';
import { DomainError } from '../errors/domain-error';
import { Env } from '../../config/env';
import { FONT_ERROR, type PdfJob, type PdfOptions } from './pdf.types';

const fontUnavailable = () =>
  new DomainError(
    'PDF_FONT_UNAVAILABLE',
    'PDFs cannot be made: the Chinese font (PDF_FONT_PATH) is missing on the server',
    'unavailable',
  );

/** The worker module beside this file: .js when compiled, .ts under the tests (compiled on load by swc). */
const WORKER = path.join(__dirname, `pdf.worker${path.extname(__filename)}`);

/**
 * Makes PDFs with a Chinese font embedded, so names never print as boxes or question
 * marks: the one place sign-in sheets, certificates and other printouts are made. A
 * document is a layout module (exporting `draw(doc, data)`, see pdf.types.ts) and its
 * data; it is drawn in a small pool of worker threads, so a long document never holds up
 * other requests. PDFKit embeds only the glyphs a document uses. If the font is missing
 * the service still starts (logged) and each PDF answers 503 PDF_FONT_UNAVAILABLE.
 */
@Injectable()
export class PdfService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PdfService.name);
  private readonly pool = new Piscina({
    filename: WORKER,
    minThreads: 0,
    maxThreads: Math.max(1, Math.min(2, availableParallelism() - 1)),
    idleTimeout: 60_000,
    ...(WORKER.endsWith('.ts') && { execArgv: ['--require', '@swc-node/register'] }),
  });

  constructor(private readonly env: Env) {}

  async onModuleInit(): Promise<void> {
    if (!(await this.fontReadable())) {
      this.logger.warn(`PDF font not found at ${this.env.PDF_FONT_PATH}: PDFs will answer 503 until it is installed`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.destroy();
  }

  /** Draws `data` with the layout module at `layout` (an absolute path) and answers the PDF's bytes. */
  async render<T>(layout: string, data: T, options: PdfOptions): Promise<Buffer> {
    if (!(await this.fontReadable())) throw fontUnavailable();
    const job: PdfJob = { layout, data, options, font: { path: this.env.PDF_FONT_PATH, name: this.env.PDF_FONT_NAME } };
    try {
      const bytes = (await this.pool.run(job)) as Uint8Array;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (e) {
      if ((e as { code?: string }).code === FONT_ERROR) {
        this.logger.error(`PDF font ${this.env.PDF_FONT_PATH} could not be used: ${(e as Error).message}`);
        throw fontUnavailable();
      }
      throw e;
    }
  }

  private async fontReadable(): Promise<boolean> {
    try {
      await access(this.env.PDF_FONT_PATH);
      return true;
    } catch {
      return false;
    }
  }
}
