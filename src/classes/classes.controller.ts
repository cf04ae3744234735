import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiPageResponse } from '../common/openapi/api-docs.decorators';
import type { Page } from '../common/pagination/page.dto';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import type { ClassAction } from './class-status';
import { ClassViewsService } from './class-views.service';
import { ClassesService } from './classes.service';
import {
  ClassDetailDto,
  ClassDto,
  ClassTransitionDto,
  CreateClassDto,
  ListClassesQueryDto,
  UpdateClassDto,
} from './dto/class.dto';

@ApiTags('classes')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api/classes')
export class ClassesController {
  constructor(
    private readonly classes: ClassesService,
    private readonly views: ClassViewsService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List classes',
    description:
      'Admins: the classes of plans in their part of the tree; trainers: the classes they teach; trainees: ' +
      'the open, running and completed classes of their county. Latest start date first, then by title; ' +
      'paginated. `planId`, `quarter`, `status` and `year` (the plan year) filter.',
  })
  @ApiPageResponse(ClassDto)
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListClassesQueryDto): Promise<Page<ClassDto>> {
    const page = await this.classes.list(actor, query);
    return { ...page, items: await this.views.classes(page.items) };
  }

  @Post()
  @Idempotent()
  @Roles('admin')
  @ApiOperation({
    summary: 'Plan a class',
    description: [
      'Admins, under a plan of their part of the tree. The class starts as `draft`. Honours `Idempotency-Key`.',
      '',
      "- The course, the venue and the trainers (1–10, active) must belong to the plan's county (a course may " +
        'also come from a unit above it).',
      "- `startDate` ≤ `endDate`, both local dates in the plan's year and in `quarter`.",
      '- `minPerTownship` (default 3) ≤ `maxPerTownship` (default 5) ≤ `capacity`.',
      '- Enrolment opens before it closes, and closes no later than the end of the last day.',
      '- `attendanceThreshold` defaults to 0.8; `attendancePoints` to present 2, late 1, excused 1, absent 0 ' +
        '(at least one status must earn a point).',
      '',
      '**Errors**: `400 CLASS_DATES_OUTSIDE_QUARTER`, `400 INVALID_DATE`, `400 CLASS_LIMITS_INVALID`, ' +
        '`400 ENROLMENT_WINDOW_INVALID`, `400 ATTENDANCE_POINTS_INVALID`; `404 PLAN_NOT_FOUND`, ' +
        '`404 COURSE_NOT_FOUND`, `404 VENUE_NOT_FOUND`, `404 TRAINER_NOT_FOUND` with `trainerIds`; ' +
        '`422 IDEMPOTENCY_KEY_REUSED`.',
    ].join('\n'),
  })
  @ApiBody({
    type: CreateClassDto,
    examples: {
      quarter1: {
        summary: 'The first class of 2027',
        value: {
          planId: '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a',
          courseId: '7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918',
          title: '2027年第一期基层服务点人员培训班',
          quarter: 1,
          startDate: '2027-01-05',
          endDate: '2027-03-25',
          venueId: '2b3c4d5e-6f70-4182-9a3b-4c5d6e7f8091',
          trainerIds: ['9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'],
          capacity: 40,
          minPerTownship: 3,
          maxPerTownship: 5,
          enrolmentOpensAt: '2026-12-01T00:00:00+08:00',
          enrolmentClosesAt: '2027-01-04T18:00:00+08:00',
          attendanceThreshold: 0.8,
          attendancePoints: { present: 2, late: 1, excused: 1, absent: 0 },
        },
      },
    },
  })
  @ApiCreatedResponse({ type: ClassDto })
  @ApiErrors(403, 404, 422)
  async create(@CurrentUser() actor: AuthUser, @Body() dto: CreateClassDto): Promise<ClassDto> {
    return this.views.class(await this.classes.create(actor, dto));
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get a class with its history',
    description:
      'Whoever may list the class (see the list). `transitions` is every state change with when; admins also ' +
      'see who made it. **Errors**: `404 CLASS_NOT_FOUND` (no such class, or not one you may read).',
  })
  @ApiOkResponse({ type: ClassDetailDto })
  @ApiErrors(404)
  async get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<ClassDetailDto> {
    const c = await this.classes.getVisible(actor, id);
    const transitions = await this.classes.transitions(id);
    return {
      ...(await this.views.class(c)),
      transitions: transitions.map((t) => ClassTransitionDto.from(t, actor.role === 'admin')),
    };
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Update a class',
    description: [
      'Admins, for classes in their part of the tree, while `draft`, `open` or `running`. Fields left out ' +
        'stay; the plan stays; `venueId: null` clears the venue. The rules of creation hold for the result.',
      '',
      '- New dates must still hold every live session.',
      '- A trainer may be taken off only when it teaches no live session of the class.',
      '- Capacity or township maximum below the seats already held is refused; raising them gives the new seats ' +
        'to the waitlist at once.',
      '',
      '**Errors**: the `400` codes of creation; `404 CLASS_NOT_FOUND`, `404 COURSE_NOT_FOUND`, ' +
        '`404 VENUE_NOT_FOUND`, `404 TRAINER_NOT_FOUND`; `409 CLASS_NOT_EDITABLE` (completed or cancelled), ' +
        '`409 CLASS_SESSIONS_OUTSIDE_DATES`, `409 CLASS_TRAINER_HAS_SESSIONS` with `trainerIds`, ' +
        '`409 LIMITS_BELOW_ENROLMENT`.',
    ].join('\n'),
  })
  @ApiOkResponse({ type: ClassDto })
  @ApiErrors(403, 404, 409)
  async update(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateClassDto,
  ): Promise<ClassDto> {
    return this.views.class(await this.classes.update(actor, id, dto));
  }

  @Post(':id/open')
  @Idempotent()
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Open a class for enrolment',
    description:
      'Admins, for classes in their part of the tree: `draft` > `open`. Enrolment can start (within its ' +
      'window) and the trainees of the county now see the class. The step is recorded with who and when. ' +
      'Honours `Idempotency-Key`. **Errors**: `404 CLASS_NOT_FOUND`; `409 INVALID_TRANSITION` with the current ' +
      '`status`; `422 IDEMPOTENCY_KEY_REUSED`.',
  })
  @ApiOkResponse({ type: ClassDto, description: 'draft > open: enrolment can start' })
  @ApiErrors(403, 404, 409, 422)
  open(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<ClassDto> {
    return this.transition(actor, id, 'open');
  }

  @Post(':id/start')
  @Idempotent()
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start a class',
    description:
      'Admins, for classes in their part of the tree: `open` > `running`; enrolment ends. Recorded with who ' +
      'and when. Honours `Idempotency-Key`. **Errors**: `404 CLASS_NOT_FOUND`; `409 INVALID_TRANSITION` with ' +
      'the current `status`; `422 IDEMPOTENCY_KEY_REUSED`.',
  })
  @ApiOkResponse({ type: ClassDto, description: 'open > running' })
  @ApiErrors(403, 404, 409, 422)
  start(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<ClassDto> {
    return this.transition(actor, id, 'start');
  }

  @Post(':id/complete')
  @Idempotent()
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Complete a class',
    description:
      'Admins, for classes in their part of the tree: `running` > `completed`. Its confirmed enrolments become ' +
      '`completed` (the trainees count as trained that year); the class can no longer be changed, though its ' +
      'attendance can still be corrected. Recorded with who and when. Honours `Idempotency-Key`. **Errors**: ' +
      '`404 CLASS_NOT_FOUND`; `409 INVALID_TRANSITION` with the current `status`; `422 IDEMPOTENCY_KEY_REUSED`.',
  })
  @ApiOkResponse({ type: ClassDto, description: 'running > completed' })
  @ApiErrors(403, 404, 409, 422)
  complete(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<ClassDto> {
    return this.transition(actor, id, 'complete');
  }

  @Post(':id/cancel')
  @Idempotent()
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a class',
    description:
      'Admins, for classes in their part of the tree: `draft`, `open` or `running` > `cancelled`. Its live ' +
      "sessions are cancelled with it (their slots freed, each session's `sequence` raised for calendars). " +
      'Recorded with who and when. Honours `Idempotency-Key`. **Errors**: `404 CLASS_NOT_FOUND`; ' +
      '`409 INVALID_TRANSITION` with the current `status` (completed, or already cancelled); ' +
      '`422 IDEMPOTENCY_KEY_REUSED`.',
  })
  @ApiOkResponse({ type: ClassDto, description: 'draft, open or running > cancelled' })
  @ApiErrors(403, 404, 409, 422)
  cancel(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<ClassDto> {
    return this.transition(actor, id, 'cancel');
  }

  private async transition(actor: AuthUser, id: string, action: ClassAction): Promise<ClassDto> {
    return this.views.class(await this.classes.transition(actor, id, action));
  }
}
