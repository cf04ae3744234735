import path from 'node:path';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Piscina } from 'piscina';
import { DomainError } from '../errors/domain-error';
import { Env } from '../../config/env';
import { pdfFont } from './pdf-font';
import type { PdfJob, PdfOptions, PdfResult } from './pdf.types';

const fontUnavailable = () => new DomainError('PDF_FONT_UNAVAILABLE', 'unavailable');
const renderLimit = () => new DomainError('PDF_RENDER_LIMIT', 'unavailable');

/** The worker module beside this file: .js when compiled, .ts under the tests (compiled on load by swc). */
export const PDF_WORKER = path.join(__dirname, `pdf.worker${path.extname(__filename)}`);
const WORKER = PDF_WORKER;

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
  private readonly pool: Piscina;

  constructor(private readonly env: Env) {
    this.pool = new Piscina({
      filename: WORKER,
      minThreads: 0,
      maxThreads: env.PDF_THREADS,
      idleTimeout: 60_000,
      // A document that would eat the machine's memory ends its own thread, not the process.
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
      ...(WORKER.endsWith('.ts') && { execArgv: ['--require', '@swc-node/register'] }),
    });
  }

  async onModuleInit(): Promise<void> {
    const font = await this.font();
    if (!font) {
      this.logger.warn(`PDF font not found at ${this.env.PDF_FONT_PATH}: PDFs will answer 503 until it is installed`);
    } else if (font.path === this.env.PDF_FONT_PATH) {
      this.logger.log(
        `PDFs use the stock font ${font.path}; \`npm run fonts:prepare\` makes each PDF about 40 ms faster to write`,
      );
    }
  }

  /** After the HTTP server has stopped taking requests: documents still being drawn are finished first. */
  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }

  /** Draws `data` with the layout module at `layout` (an absolute path) and answers the PDF's bytes. */
  async render<T>(layout: string, data: T, options: PdfOptions): Promise<Buffer> {
    const font = await this.font();
    if (!font) throw fontUnavailable();
    const job: PdfJob = { layout, data, options, font };
    let result: PdfResult;
    try {
      // An aborted job's thread is stopped (Piscina ends a running task's worker).
      result = (await this.pool.run(job, {
        signal: AbortSignal.timeout(this.env.PDF_JOB_TIMEOUT_SECONDS * 1000),
      })) as PdfResult;
    } catch (e) {
      const err = e as Error & { code?: string };
      if (err.name === 'AbortError' || err.name === 'TimeoutError' || err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        this.logger.error(`PDF "${options.title}" stopped: ${err.code ?? err.name} (${err.message})`);
        throw renderLimit();
      }
      throw e;
    }
    if ('fontError' in result) {
      this.logger.error(`PDF font ${font.path} could not be used: ${result.fontError}`);
      throw fontUnavailable();
    }
    return Buffer.from(result.pdf.buffer, result.pdf.byteOffset, result.pdf.byteLength);
  }

  private font(): Promise<PdfJob['font'] | undefined> {
    return pdfFont(this.env);
  }
}
