import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { sendAsFile, XLSX_TYPE } from '../common/http/download';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiJsonOrFileResponse } from '../common/openapi/api-docs.decorators';
import type { Page } from '../common/pagination/page.dto';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { CancelVisitDto, ListVisitsQueryDto, ReportVisitDto, UpdateVisitDto, VisitDto } from './dto/visit.dto';
import { visitsXlsx } from './visits.export';
import { VisitsService } from './visits.service';

@ApiTags('visits')
@ApiBearerAuth()
@ApiErrors(400, 401, 403)
@Roles('admin', 'trainer')
@Controller('api/visits')
export class VisitsController {
  constructor(private readonly visits: VisitsService) {}

  @Get()
  @ApiOperation({
    summary: 'Follow-up visits',
    description: [
      'Admins: the visits of classes in their part of the tree; trainers: the visits assigned to them. When a ' +
        'class completes, a job creates one visit per township that had trainees, spread fairly over the ' +
        "class's trainers and the county's other trainers and admins, due `VISIT_DUE_DAYS` later.",
      '',
      '- `status` is as of now: an `assigned` visit past its due date (local) reads `overdue`.',
      '- Filters: `status`, `assigneeId`, `townshipId`, `classId`, `dueBefore` (due strictly before that date).',
      '- By due date, then township. `format=xlsx` downloads every match (up to 10,000, unpaginated) with ' +
        'Chinese headers.',
      '',
      '**Errors**: `400 VALIDATION_FAILED`; `403 FORBIDDEN` (trainees).',
    ].join('\n'),
  })
  @ApiJsonOrFileResponse(VisitDto, [XLSX_TYPE], 'A page of visits ({items, total, page, pageSize}), or the xlsx file')
  async list(
    @CurrentUser() actor: AuthUser,
    @Query() query: ListVisitsQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Page<VisitDto> | Buffer> {
    if (query.format !== 'xlsx') return this.visits.list(actor, query);
    const body = await visitsXlsx(await this.visits.listAll(actor, query));
    sendAsFile(reply, '回访任务.xlsx', XLSX_TYPE);
    return body;
  }

  @Get(':id')
  @ApiOperation({
    summary: 'A follow-up visit',
    description:
      'Admins: a visit of a class in their part of the tree; trainers: their own. With its report once done. ' +
      '**Errors**: `403 FORBIDDEN` (trainees); `404 VISIT_NOT_FOUND`.',
  })
  @ApiOkResponse({ type: VisitDto })
  @ApiErrors(404)
  get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<VisitDto> {
    return this.visits.get(actor, id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Reassign a visit or move its due date',
    description: [
      'Admins, for visits still open (`assigned` or `overdue`).',
      '',
      "- `assigneeId`: an active trainer or admin of the class's county; they are told (`visit-assigned`).",
      '- `dueOn`: a local date, today or later; an overdue visit becomes `assigned` again, and its due and ' +
        'overdue notices are rescheduled.',
      '',
      '**Errors**: `400 VISIT_ASSIGNEE_INVALID`, `400 VISIT_DUE_ON_INVALID`; `403 FORBIDDEN` (trainers, ' +
        'trainees); `404 VISIT_NOT_FOUND`; `409 VISIT_CLOSED` (done or cancelled).',
    ].join('\n'),
  })
  @ApiOkResponse({ type: VisitDto })
  @ApiErrors(404, 409)
  update(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateVisitDto,
  ): Promise<VisitDto> {
    return this.visits.update(actor, id, dto);
  }

  @Post(':id/report')
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Report a visit: it is done',
    description: [
      "The visit's assignee, or an admin of its class's part of the tree. Honours `Idempotency-Key`.",
      '',
      '- `visitedOn`: a local date, not in the future; `notes` required.',
      '- `traineeIds`: trainees met, each enrolled in the class from this township.',
      '- A visit is reported once: a second report is `409 VISIT_ALREADY_REPORTED`.',
      '',
      '**Errors**: `400 VISIT_VISITED_ON_INVALID`, `400 VISIT_TRAINEES_INVALID` (with the `traineeIds` refused); ' +
        '`403 FORBIDDEN` (trainees); `404 VISIT_NOT_FOUND`; `409 VISIT_ALREADY_REPORTED`, `409 VISIT_CLOSED` ' +
        '(cancelled); `422 IDEMPOTENCY_KEY_REUSED`.',
    ].join('\n'),
  })
  @ApiOkResponse({ type: VisitDto })
  @ApiErrors(404, 409, 422)
  report(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: ReportVisitDto,
  ): Promise<VisitDto> {
    return this.visits.report(actor, id, dto);
  }

  @Post(':id/cancel')
  @Idempotent()
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a visit',
    description:
      'Admins, for a visit not yet made, with an optional `reason`; its notices are dropped. Honours ' +
      '`Idempotency-Key`. **Errors**: `403 FORBIDDEN` (trainers, trainees); `404 VISIT_NOT_FOUND`; ' +
      '`409 VISIT_CLOSED` (done or already cancelled); `422 IDEMPOTENCY_KEY_REUSED`.',
  })
  @ApiOkResponse({ type: VisitDto })
  @ApiErrors(404, 409, 422)
  cancel(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: CancelVisitDto,
  ): Promise<VisitDto> {
    return this.visits.cancel(actor, id, dto);
  }
}
