import { access } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Piscina } from 'piscina';
import { DomainError } from '../errors/domain-error';
import { Env } from '../../config/env';
import type { PdfJob, PdfOptions, PdfResult } from './pdf.types';

const fontUnavailable = () => new DomainError('PDF_FONT_UNAVAILABLE', 'unavailable');

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
export class PdfService implements OnModuleInit, OnApplicationShutdown {
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

  /** After the HTTP server has stopped taking requests: documents still being drawn are finished first. */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }

  /** Draws `data` with the layout module at `layout` (an absolute path) and answers the PDF's bytes. */
  async render<T>(layout: string, data: T, options: PdfOptions): Promise<Buffer> {
    if (!(await this.fontReadable())) throw fontUnavailable();
    const job: PdfJob = { layout, data, options, font: { path: this.env.PDF_FONT_PATH, name: this.env.PDF_FONT_NAME } };
    const result = (await this.pool.run(job)) as PdfResult;
    if ('fontError' in result) {
      this.logger.error(`PDF font ${this.env.PDF_FONT_PATH} could not be used: ${result.fontError}`);
      throw fontUnavailable();
    }
    return Buffer.from(result.pdf.buffer, result.pdf.byteOffset, result.pdf.byteLength);
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
