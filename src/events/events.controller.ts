import type { IncomingHttpHeaders } from 'node:http';
import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { AcceptsUpload, UploadedFileBuffer } from '../common/http/uploaded-file.decorator';
import { Translator } from '../common/i18n/translator';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiPageResponse } from '../common/openapi/api-docs.decorators';
import type { Page } from '../common/pagination/page.dto';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { rowErrorsInWords } from '../imports/imports.types';
import { CreateEventDto, EventDto, ImportEventsQueryDto, ListEventsQueryDto, UpdateEventDto } from './dto/event.dto';
import { EventImportResultDto } from './dto/event-import.dto';
import { MAX_EVENT_IMPORT_ROWS } from './event-import.parser';
import { EventsImportService } from './events-import.service';
import { EventsService } from './events.service';

/** Outreach events are reporting data: admins only, within their part of the tree. */
@ApiTags('events')
@ApiBearerAuth()
@ApiErrors(400, 401, 403)
@Roles('admin')
@Controller('api/events')
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly importer: EventsImportService,
    private readonly translator: Translator,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List outreach events',
    description:
      'Admins: the events of units in their part of the tree, newest first; paginated. `year` keeps the local ' +
      'dates of that year, `kind` one kind, `orgUnitId` that unit and everything under it. ' +
      '**Errors**: `404 ORG_UNIT_NOT_FOUND` (`orgUnitId` outside your part).',
  })
  @ApiPageResponse(EventDto)
  @ApiErrors(404)
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListEventsQueryDto): Promise<Page<EventDto>> {
    const page = await this.events.list(actor, query);
    return { ...page, items: page.items.map((e) => EventDto.from(e)) };
  }

  @Post()
  @Idempotent()
  @ApiOperation({
    summary: 'Record an outreach event',
    description: [
      'Admins, for a unit of their part of the tree. Honours `Idempotency-Key`.',
      '',
      '- `kind`: lecture, screening (film), outreach ("culture to the countryside"), guidance (on site), other.',
      '- `date`: a local date; `headCount`: person-times, 1–100000; `title`: one line, at most 200.',
      '- `materials`: what was handed out, `{books, discs, leaflets}`, each 0–1000000 (left out: 0).',
      '',
      '**Errors**: `400 VALIDATION_FAILED`; `403 FORBIDDEN` (trainers, trainees); `404 ORG_UNIT_NOT_FOUND` ' +
        '(unit outside your part); `422 IDEMPOTENCY_KEY_REUSED`.',
    ].join('\n'),
  })
  @ApiBody({
    type: CreateEventDto,
    examples: {
      lecture: {
        summary: 'A lecture in a township',
        value: {
          kind: 'lecture',
          title: '智能手机防诈骗讲座',
          date: '2027-03-15',
          orgUnitId: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
          headCount: 85,
          materials: { books: 0, discs: 0, leaflets: 200 },
          notes: '村委会会议室',
        },
      },
    },
  })
  @ApiCreatedResponse({ type: EventDto })
  @ApiErrors(404, 422)
  async create(@CurrentUser() actor: AuthUser, @Body() dto: CreateEventDto): Promise<EventDto> {
    return EventDto.from(await this.events.create(actor, dto));
  }

  @Post('import')
  @Idempotent()
  @HttpCode(200)
  @AcceptsUpload()
  @ApiOperation({
    summary: 'Import outreach events',
    description: [
      'Admins. A `.xlsx` (first sheet) or `.csv` (UTF-8 or GB18030/GBK) in the multipart field `file`, at most ' +
        `\`UPLOAD_LIMIT_BYTES\`, one row per event, at most ${MAX_EVENT_IMPORT_ROWS} rows. Honours \`Idempotency-Key\`.`,
      '',
      '- Columns (first row, Chinese or English, any order; others ignored): 类型/kind (讲座, 放映, 下乡, 指导, ' +
        '其他, or the English kinds), 标题/title, 日期/date (YYYY-MM-DD, 2027/3/15 or an Excel date), ' +
        '单位/unit (the code or else the name of a unit in your part of the tree), 人数/headCount, ' +
        'and optionally 图书/books, 光盘/discs, 宣传册/leaflets (default 0), 备注/notes.',
      '- Every row is checked by the rules of `POST /api/events`. **All or nothing**: with any row error nothing ' +
        'is written (`created: 0`) and `errors` lists them by row and column; `dryRun=true` checks and writes ' +
        'nothing.',
      '',
      '**Errors**: `400 IMPORT_INVALID_FILE` (unreadable, no header naming kind, title, date, unit and ' +
        'headCount, too many rows); `400 FILE_REQUIRED`; `413 PAYLOAD_TOO_LARGE`; `415 UNSUPPORTED_MEDIA_TYPE`; ' +
        '`422 IDEMPOTENCY_KEY_REUSED`.',
    ].join('\n'),
  })
  @ApiBody({
    description: 'CSV or XLSX; the first row names the columns: 类型, 标题, 日期, 单位, 人数, 图书, 光盘, 宣传册, 备注',
    schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } },
  })
  @ApiOkResponse({ type: EventImportResultDto })
  @ApiErrors(413, 415, 422)
  async import(
    @CurrentUser() actor: AuthUser,
    @UploadedFileBuffer('file') file: Buffer,
    @Query() query: ImportEventsQueryDto,
    @Headers() headers: IncomingHttpHeaders,
  ): Promise<EventImportResultDto> {
    const result = await this.importer.import(actor, file, query.dryRun === 'true');
    return { ...result, errors: rowErrorsInWords(this.translator, this.translator.languageOf(headers), result.errors) };
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get an outreach event',
    description: 'Admins, for units of their part of the tree. **Errors**: `404 EVENT_NOT_FOUND`.',
  })
  @ApiOkResponse({ type: EventDto })
  @ApiErrors(404)
  async get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<EventDto> {
    return EventDto.from(await this.events.get(actor, id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Correct an outreach event',
    description:
      'Admins, for units of their part of the tree. Fields left out stay; `materials` replaces all three ' +
      'counts; `notes: null` clears. **Errors**: `400 VALIDATION_FAILED`; `404 EVENT_NOT_FOUND`; ' +
      '`404 ORG_UNIT_NOT_FOUND` (a new unit outside your part).',
  })
  @ApiOkResponse({ type: EventDto })
  @ApiErrors(404)
  async update(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateEventDto,
  ): Promise<EventDto> {
    return EventDto.from(await this.events.update(actor, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete an outreach event',
    description: 'Admins, for units of their part of the tree. **Errors**: `404 EVENT_NOT_FOUND`.',
  })
  @ApiNoContentResponse()
  @ApiErrors(404)
  async remove(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<void> {
    await this.events.remove(actor, id);
  }
}
