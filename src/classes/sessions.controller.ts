import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiPageResponse } from '../common/openapi/api-docs.decorators';
import type { Page } from '../common/pagination/page.dto';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { ClassViewsService } from './class-views.service';
import {
  CreateSessionsDto,
  ListSessionsQueryDto,
  SearchSessionsQueryDto,
  SessionDto,
  SessionListDto,
  UpdateSessionDto,
} from './dto/session.dto';
import { SessionsService } from './sessions.service';

@ApiTags('sessions')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api')
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly views: ClassViewsService,
  ) {}

  @Get('sessions')
  @ApiOperation({
    summary: 'Search sessions',
    description: [
      'Sessions in your part of the organisation, by start time; paginated (`pageSize` up to 200, default 50).',
      '',
      "- Admins: every session of their part of the tree's classes; trainers: the sessions of the classes " +
        'they teach; trainees: the sessions of the (announced) classes they hold a seat in.',
      '- `from` / `to` keep the sessions overlapping [from, to) (instants with an offset); `trainerId` and ' +
        '`classId` filter; cancelled sessions only with `includeCancelled=true`.',
      '',
      '**Errors**: `400 SESSION_RANGE_ORDER` (`from` not before `to`).',
    ].join('\n'),
  })
  @ApiPageResponse(SessionDto)
  async search(@CurrentUser() actor: AuthUser, @Query() query: SearchSessionsQueryDto): Promise<Page<SessionDto>> {
    const page = await this.sessions.search(actor, query);
    return { ...page, items: await this.views.sessions(page.items) };
  }

  @Get('classes/:id/sessions')
  @ApiOperation({
    summary: 'List the sessions of a class',
    description:
      'Whoever may read the class (admins of its county, its trainers, the trainees of its county once it is ' +
      'open). By start time; paginated (`pageSize` up to 200, default 50); cancelled sessions only with ' +
      '`includeCancelled=true`. **Errors**: `404 CLASS_NOT_FOUND`.',
  })
  @ApiPageResponse(SessionDto)
  @ApiErrors(404)
  async listForClass(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Query() query: ListSessionsQueryDto,
  ): Promise<Page<SessionDto>> {
    const page = await this.sessions.listForClass(actor, id, query);
    return { ...page, items: await this.views.sessions(page.items) };
  }

  @Post('classes/:id/sessions')
  @Idempotent()
  @Roles('admin')
  @ApiExtraModels(SessionDto, SessionListDto)
  @ApiOperation({
    summary: 'Schedule sessions of a class',
    description: [
      'Admins, for classes in their part of the tree while `draft`, `open` or `running`. Either one session ' +
        '(`startsAt` + `endsAt`) or a series (`recurrence`), never both. All or nothing. Honours `Idempotency-Key`.',
      '',
      "- A series is expanded in the centre's time zone from the class's first to its last day (09:00 stays " +
        '09:00 local), skipping `exdates`, at most 200 sessions.',
      "- Each session ends after it starts, lasts at most 12 hours and lies within the class's dates.",
      "- `trainerId` must be one of the class's trainers; left out, the class's only trainer (required when it " +
        "has several). `venueId` defaults to the class's venue and must be a venue of the class's county.",
      '- No double booking: a trainer or a venue already in an overlapping live session is refused, whichever ' +
        'class that session belongs to.',
      '- Answers the session, or `{items}` for a series.',
      '',
      '**Errors**: `400 VALIDATION_FAILED` (both or neither of times and recurrence), `400 INVALID_RRULE`, ' +
        '`400 RECURRENCE_TOO_LONG`, `400 RECURRENCE_EMPTY`, `400 SESSION_TIME_ORDER`, `400 SESSION_TOO_LONG`, ' +
        '`400 SESSION_OUTSIDE_CLASS_DATES` with `date`, `400 SESSION_TRAINER_REQUIRED`, ' +
        '`400 SESSION_TRAINER_NOT_IN_CLASS`; `404 CLASS_NOT_FOUND`, `404 VENUE_NOT_FOUND`; ' +
        '`409 CLASS_NOT_EDITABLE`, `409 SESSION_CONFLICT` with `conflictingSessionId` and `conflictWith` ' +
        '(`trainer` or `venue`; neither when two sessions of the same series overlap); `422 IDEMPOTENCY_KEY_REUSED`.',
    ].join('\n'),
  })
  @ApiBody({
    type: CreateSessionsDto,
    examples: {
      one: {
        summary: 'One session',
        value: {
          startsAt: '2027-01-05T09:00:00+08:00',
          endsAt: '2027-01-05T12:00:00+08:00',
          topic: '公共数字文化平台操作',
        },
      },
      series: {
        summary: 'Three a month at 09:00, skipping the Spring Festival',
        value: {
          recurrence: {
            rrule: 'FREQ=MONTHLY;BYMONTHDAY=5,15,25',
            startTime: '09:00',
            durationMinutes: 180,
            exdates: ['2027-02-05', '2027-02-15'],
          },
          topic: '电脑基础与智能手机应用',
        },
      },
      weekly: {
        summary: 'Every Tuesday afternoon, with a named trainer and venue',
        value: {
          recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=TU', startTime: '14:30', durationMinutes: 120 },
          trainerId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
          venueId: '2b3c4d5e-6f70-4182-9a3b-4c5d6e7f8091',
        },
      },
    },
  })
  @ApiCreatedResponse({
    description: 'The session, or `{items}` for a recurrence',
    schema: { oneOf: [{ $ref: getSchemaPath(SessionDto) }, { $ref: getSchemaPath(SessionListDto) }] },
  })
  @ApiErrors(403, 404, 409, 422)
  async create(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: CreateSessionsDto,
  ): Promise<SessionDto | SessionListDto> {
    const items = await this.views.sessions(await this.sessions.create(actor, id, dto));
    return dto.recurrence ? { items } : items[0];
  }

  @Patch('sessions/:id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Move or change a session',
    description: [
      'Admins, for sessions of classes in their part of the tree while the class is `draft`, `open` or ' +
        '`running`. Fields left out stay; `venueId: null` clears the venue, `topic: null` the topic.',
      '',
      '- The rules of scheduling hold: ends after it starts, at most 12 hours, inside the class dates, a trainer ' +
        'of the class, no double booking.',
      "- Every change raises the session's `sequence` (calendars update); a new start time also raises " +
        '`session.rescheduled` for reminders.',
      '',
      '**Errors**: `400 SESSION_TIME_ORDER`, `400 SESSION_TOO_LONG`, `400 SESSION_OUTSIDE_CLASS_DATES`, ' +
        '`400 SESSION_TRAINER_NOT_IN_CLASS`; `404 SESSION_NOT_FOUND`, `404 VENUE_NOT_FOUND`; ' +
        '`409 SESSION_CANCELLED`, `409 CLASS_NOT_EDITABLE`, `409 SESSION_CONFLICT` with `conflictingSessionId` ' +
        'and `conflictWith`.',
    ].join('\n'),
  })
  @ApiOkResponse({ type: SessionDto })
  @ApiErrors(403, 404, 409)
  async update(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateSessionDto,
  ): Promise<SessionDto> {
    return (await this.views.sessions([await this.sessions.update(actor, id, dto)]))[0];
  }

  @Delete('sessions/:id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Cancel a session',
    description:
      'Admins, for sessions of classes in their part of the tree. The session is kept, marked `cancelled` with ' +
      '`cancelledAt`, its slot freed and its `sequence` raised (calendars show it cancelled); cancelling again ' +
      'changes nothing and answers the same. **Errors**: `404 SESSION_NOT_FOUND`; `409 CLASS_NOT_EDITABLE` ' +
      '(the class is completed).',
  })
  @ApiOkResponse({ type: SessionDto, description: 'The session, now cancelled (sessions are never deleted)' })
  @ApiErrors(403, 404, 409)
  async cancel(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<SessionDto> {
    return (await this.views.sessions([await this.sessions.cancel(actor, id)]))[0];
  }

  @Get('plans/:id/sessions')
  @Roles('admin')
  @ApiOperation({
    summary: 'List the sessions of a plan',
    description:
      "Admins, for plans in their part of the tree: every session of the plan's classes, by start time; " +
      'paginated (`pageSize` up to 200, default 50); cancelled sessions only with `includeCancelled=true`. ' +
      '**Errors**: `404 PLAN_NOT_FOUND`.',
  })
  @ApiPageResponse(SessionDto)
  @ApiErrors(403, 404)
  async listForPlan(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Query() query: ListSessionsQueryDto,
  ): Promise<Page<SessionDto>> {
    const page = await this.sessions.listForPlan(actor, id, query);
    return { ...page, items: await this.views.sessions(page.items) };
  }
}
