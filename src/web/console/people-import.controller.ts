import { Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from '../../common/errors/domain-error';
import { sendAsFile, XLSX_TYPE } from '../../common/http/download';
import { AcceptsUpload } from '../../common/http/uploaded-file.decorator';
import { Translator } from '../../common/i18n/translator';
import { ImportErrors } from '../../imports/imports.errors';
import { ImportsService } from '../../imports/imports.service';
import { type ImportCredential, type ImportRowProblem, rowErrorsInWords } from '../../imports/imports.types';
import { USER_IMPORT_COLUMNS, UsersImportService } from '../../users/users-import.service';
import { PageId } from '../page-id.pipe';
import { type PageContext, PageRenderer } from '../page-renderer';
import { FormPost } from '../web-pages.decorator';
import { pageContextOf, type PageRequest } from '../web-session.guard';
import { ConsolePages } from './console-pages.decorator';
import { peopleTabs } from './people-pages';
import { StagedUploads } from './staged-uploads';

/** What an import came to (at once, or so far in the background). */
interface Outcome {
  total: number;
  done: number;
  created: number;
  updated: number;
  failed: number;
  errors: ImportRowProblem[];
  credentials?: ImportCredential[];
  credentialsShown?: boolean;
  credentialsExpired?: boolean;
}

/** An import's progress as the page's script reads it. */
export interface ImportProgressJson {
  status: string;
  finished: boolean;
  total: number;
  done: number;
  percent: number;
  created: number;
  updated: number;
  failed: number;
  /** The progress line, in the reader's language. */
  text: string;
}

/**
 * 学员与组织 · 导入学员: trainees from a spreadsheet in three steps. 1: download the template,
 * upload the filled file; it is kept on the server (StagedUploads) and checked without writing
 * anything (UsersImportService's dry run, as `POST /api/users/import?dryRun=true`), every bad
 * row listed in Chinese by row and column. 2: fix the file and upload it again, or confirm:
 * the kept file is imported (no second upload), at once for a small file or as the background
 * import of `GET /api/imports/:id` for a large one, whose page shows a progress bar that
 * console-people.js moves (a refresh link without scripts). 3: what was created, the rows
 * skipped, and the generated initial passwords, shown once.
 */
@ConsolePages()
@Controller('console/people')
export class PeopleImportController {
  constructor(
    private readonly importer: UsersImportService,
    private readonly imports: ImportsService,
    private readonly staged: StagedUploads,
    private readonly translator: Translator,
    private readonly pages: PageRenderer,
  ) {}

  @Get('import')
  start(@Req() request: PageRequest, @Res() reply: FastifyReply): void {
    this.showUpload(request, reply, pageContextOf(request), null, 200);
  }

  @Get('import/template.xlsx')
  async template(@Req() request: PageRequest, @Res() reply: FastifyReply): Promise<void> {
    const lang = pageContextOf(request).lang;
    const file = await this.importer.template(request.user!, (kind) => this.pages.t(lang, `people_kind_${kind}`));
    sendAsFile(reply, '学员导入模板.xlsx', XLSX_TYPE);
    void reply.header('cache-control', 'no-store').send(file);
  }

  /** Step 1: the uploaded file, kept and checked; on to its check page (or the form again, saying what is wrong). */
  @Post('import')
  @HttpCode(200)
  @AcceptsUpload()
  async upload(@Req() request: PageRequest, @Res() reply: FastifyReply): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const file = request.isMultipart() ? (request.body as Record<string, unknown> | undefined)?.file : undefined;
    if (!Buffer.isBuffer(file) || file.length === 0) {
      return this.showUpload(request, reply, context, this.pages.t(context.lang, 'people_err_file'), 400);
    }
    try {
      await this.importer.dryRun(actor, file);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'IMPORT_INVALID_FILE') throw e;
      return this.showUpload(request, reply, context, this.pages.errorMessage(context.lang, e), 400);
    }
    const id = await this.staged.put(actor.id, file);
    void reply.redirect(`/console/people/import/${id}`, 303);
  }

  /** Step 2: the dry run of a kept file: what would be created, and every bad row. */
  @Get('import/:upload')
  async check(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('upload', PageId()) upload: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const file = await this.staged.get(actor.id, upload);
    if (!file) return this.showUpload(request, reply, context, null, 404, true);
    let result;
    try {
      result = await this.importer.dryRun(actor, file);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'IMPORT_INVALID_FILE') throw e;
      return this.showUpload(request, reply, context, this.pages.errorMessage(context.lang, e), 400);
    }
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const good = result.created + result.updated;
    const view = {
      title: t('people_checkTitle'),
      section: 'people' as const,
      tabs: peopleTabs(this.pages, context, 'import'),
      steps: this.steps(context, 2),
      created: result.created,
      updated: result.updated,
      failed: result.failed,
      good,
      summary: t('people_checkSummary', { created: result.created, updated: result.updated, failed: result.failed }),
      errors: this.errorRows(context, result.errors),
      clean: result.failed === 0 && good > 0,
      nothing: good === 0 && result.failed === 0,
      confirmAction: good > 0 ? `/console/people/import/${upload}` : null,
      confirmLabel:
        result.failed > 0 ? t('people_importGoodRows', { count: good }) : t('people_importAll', { count: good }),
      upload: this.uploadForm(context, null),
    };
    this.pages.send(request, reply, 'console/people-import-check', context, view);
  }

  /** Step 3: imports the kept file: at once (its result), or in the background (its progress page). */
  @FormPost('import/:upload')
  async confirm(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('upload', PageId()) upload: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const file = await this.staged.take(actor.id, upload);
    if (!file) return this.showUpload(request, reply, context, null, 404, true);
    const result = await this.importer.import(actor, file, false);
    if ('importId' in result) {
      void reply.redirect(`/console/people/imports/${result.importId}`, 303);
      return;
    }
    const total = result.created + result.updated + result.failed;
    this.showOutcome(request, reply, context, { ...result, total, done: total }, 'done', null);
  }

  /** A background import's page: its progress (moved by console-people.js), then its result. */
  @Get('imports/:id')
  async progressPage(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ImportErrors.notFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const found = await this.imports.progress(request.user!, id);
    this.showOutcome(request, reply, context, found, found.status, id);
  }

  /** The progress as JSON, for the page's script; never the passwords (the page shows them, once). */
  @Get('imports/:id/progress')
  async progress(
    @Req() request: PageRequest,
    @Param('id', PageId(ImportErrors.notFound)) id: string,
  ): Promise<ImportProgressJson> {
    const context = pageContextOf(request);
    const found = await this.imports.progress(request.user!, id, { takeCredentials: false });
    return this.progressJson(context, found, found.status);
  }

  private progressJson(context: PageContext, o: Outcome, status: string): ImportProgressJson {
    const percent = o.total > 0 ? Math.floor((o.done / o.total) * 100) : 100;
    const finished = status === 'done' || status === 'failed';
    return {
      status,
      finished,
      total: o.total,
      done: o.done,
      percent,
      created: o.created,
      updated: o.updated,
      failed: o.failed,
      text: this.pages.t(context.lang, `people_progress_${finished ? status : 'running'}`, {
        done: o.done,
        total: o.total,
        percent,
      }),
    };
  }

  private showOutcome(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    o: Outcome,
    status: string,
    importId: string | null,
  ): void {
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const progress = this.progressJson(context, o, status);
    const view = {
      title: progress.finished ? t('people_importDoneTitle') : t('people_importRunningTitle'),
      section: 'people' as const,
      tabs: peopleTabs(this.pages, context, 'import'),
      steps: this.steps(context, 3),
      scripts: progress.finished ? undefined : ['console-people.js'],
      progress,
      running: !progress.finished,
      failedImport: status === 'failed',
      pollUrl: importId ? `/console/people/imports/${importId}/progress` : null,
      pageUrl: importId ? `/console/people/imports/${importId}` : null,
      summary: t('people_doneSummary', { created: o.created, updated: o.updated, failed: o.failed }),
      errors: this.errorRows(context, o.errors),
      credentials: o.credentials?.length ? o.credentials : null,
      credentialsGone: !!(o.credentialsShown || o.credentialsExpired),
      usersHref: '/console/people/users?role=trainee',
    };
    this.pages.send(request, reply, 'console/people-import-result', context, view);
  }

  private showUpload(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    error: string | null,
    status: number,
    expired = false,
  ): void {
    const t = (key: string) => this.pages.t(context.lang, key);
    const view = {
      title: t('people_importTitle'),
      section: 'people' as const,
      tabs: peopleTabs(this.pages, context, 'import'),
      steps: this.steps(context, 1),
      expired,
      columns: USER_IMPORT_COLUMNS,
      upload: this.uploadForm(context, error),
    };
    this.pages.send(request, reply, 'console/people-import', context, view, status);
  }

  private uploadForm(context: PageContext, error: string | null) {
    return {
      action: '/console/people/import',
      error,
      formErrors: error ? this.pages.t(context.lang, 'console_formErrors', { count: 1 }) : null,
      templateHref: '/console/people/import/template.xlsx',
    };
  }

  /** The three steps, the current one marked. */
  private steps(context: PageContext, current: 1 | 2 | 3) {
    return [1, 2, 3].map((n) => ({ label: this.pages.t(context.lang, `people_step${n}`), current: n === current }));
  }

  /** Row errors as the table shows them: row, column (in words) and what is wrong. */
  private errorRows(context: PageContext, errors: ImportRowProblem[]) {
    return rowErrorsInWords(this.translator, context.lang, errors).map((e) => {
      const key = `people_col_${e.field}`;
      return {
        row: e.row,
        column: this.pages.has(context.lang, key) ? this.pages.t(context.lang, key) : e.field,
        message: e.message,
      };
    });
  }
}
