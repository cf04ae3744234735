import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { sendAsFile, XLSX_TYPE } from '../common/http/download';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiJsonOrFileResponse } from '../common/openapi/api-docs.decorators';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { ClassViewsService } from '../classes/class-views.service';
import {
  CreateEnrolmentDto,
  EnrolmentDto,
  MyEnrolmentDto,
  QuotaDto,
  RosterDto,
  RosterQueryDto,
} from './dto/enrolment.dto';
import { EnrolmentsService } from './enrolments.service';

@ApiTags('enrolments')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api')
export class EnrolmentsController {
  constructor(
    private readonly enrolments: EnrolmentsService,
    private readonly views: ClassViewsService,
  ) {}

  @Post('classes/:id/enrolments')
  @Idempotent()
  @Roles('admin', 'trainee')
  @ApiOperation({
    summary: 'Enrol in a class',
    description: [
      'A trainee enrols itself (no body, or its own id); an admin enrols an active trainee of its part of the ' +
        "tree and of the class's county with `traineeId`. Honours `Idempotency-Key`.",
      '',
      '- Only while the class is `open` and its enrolment window runs.',
      '- The trainee counts for its township (or the township above its village). Confirmed trainees of one ' +
        'township never exceed `maxPerTownship`, the class never exceeds `capacity`, however many enrol at once; ' +
        'past either limit the trainee is `waitlisted` with a `position` (1..n, no gaps).',
      '- A trainee who withdrew may enrol again (at the back of the waitlist if the class is full).',
      '',
      '**Errors**: `400 TRAINEE_REQUIRED` (an admin without `traineeId`); `403 CANNOT_ENROL_OTHERS` (a trainee ' +
        'naming someone else), `403 FORBIDDEN` (trainers); `404 CLASS_NOT_FOUND`, `404 TRAINEE_NOT_FOUND`; ' +
        '`409 ENROLMENT_CLOSED`, `409 ALREADY_ENROLLED` with `enrolmentId`, `409 TRAINEE_WITHOUT_TOWNSHIP` ' +
        '(the trainee belongs to no township or village under one); `422 IDEMPOTENCY_KEY_REUSED`.',
    ].join('\n'),
  })
  @ApiBody({
    type: CreateEnrolmentDto,
    required: false,
    examples: {
      self: { summary: 'A trainee enrols itself', value: {} },
      admin: { summary: 'An admin enrols a trainee', value: { traineeId: '5d4c3b2a-1908-4f7e-8d6c-5b4a39281706' } },
    },
  })
  @ApiCreatedResponse({ type: EnrolmentDto, description: 'confirmed, or waitlisted with a position' })
  @ApiErrors(403, 404, 409, 422)
  async enrol(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: CreateEnrolmentDto,
  ): Promise<EnrolmentDto> {
    return EnrolmentDto.from(await this.enrolments.enrol(actor, id, dto.traineeId));
  }

  @Get('classes/:id/enrolments')
  @ApiOperation({
    summary: 'The roster of a class',
    description: [
      'Whoever may read the class: admins of its county and its trainers see everyone; a trainee of the county ' +
        "(once the class is open) sees its own township's part, without colleagues' phone numbers, full " +
        'usernames, education or proficiency.',
      '',
      '- By township (by name), confirmed and completed trainees before the waitlist (in its order); withdrawn ' +
        "enrolments are left out. Each line has the trainee's education, proficiency and `trainedThisYear` " +
        "(completed a class of the plan's year); the class's proficiency mix counts confirmed and completed " +
        'trainees.',
      '- `format=csv` (UTF-8 with BOM) or `format=xlsx` downloads the same roster for Excel.',
      '',
      '**Errors**: `404 CLASS_NOT_FOUND`.',
    ].join('\n'),
  })
  @ApiJsonOrFileResponse(RosterDto, ['text/csv', XLSX_TYPE], 'By township; format=csv or xlsx downloads the roster')
  @ApiErrors(404)
  async roster(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Query() query: RosterQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RosterDto | Buffer> {
    if (!query.format || query.format === 'json') return this.enrolments.roster(actor, id);
    const { filename, body } = await this.enrolments.rosterFile(actor, id, query.format);
    sendAsFile(reply, filename, query.format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE);
    return body;
  }

  @Get('classes/:id/quota')
  @Roles('admin', 'trainer')
  @ApiOperation({
    summary: "A class's township quotas",
    description:
      "Admins of the class's county and its trainers: every township of the county with its confirmed (and " +
      "completed) and waitlisted trainees, the class's `min` and `max`, and a `status`: `none` (nobody yet), " +
      '`below_minimum`, `ok` or `full` (at the maximum): the townships to chase before enrolment closes, ' +
      'each with its `contacts` (whom to call, in order). ' +
      '**Errors**: `403 FORBIDDEN` (trainees); `404 CLASS_NOT_FOUND`.',
  })
  @ApiOkResponse({ type: QuotaDto })
  @ApiErrors(403, 404)
  quota(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<QuotaDto> {
    return this.enrolments.quota(actor, id);
  }

  @Post('enrolments/:id/withdraw')
  @Idempotent()
  @Roles('admin', 'trainee')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Withdraw an enrolment',
    description: [
      'A trainee withdraws its own enrolment while the class is `open` and before its first day; an admin any ' +
        'enrolment of a class in its part of the tree until the class is completed or cancelled. Only ' +
        'confirmed and waitlisted enrolments. Honours `Idempotency-Key`.',
      '',
      '- A freed seat goes at once to the first waitlisted trainee who fits both limits: those not yet trained ' +
        'this year first, then by position (deactivated accounts are passed over). That trainee gets a message.',
      '- The waitlist closes up (positions stay 1..n).',
      '- `withdrawalReason` is `self` (the trainee withdrew) or `admin`. A class that ends withdraws its waitlist ' +
        '(`class_completed`); a cancelled class every confirmed and waitlisted enrolment (`class_cancelled`), ' +
        'and those trainees get a message. Enrolling again clears the reason.',
      '',
      '**Errors**: `403 FORBIDDEN` (trainers); `404 ENROLMENT_NOT_FOUND` (not yours, or outside your part); ' +
        '`409 WITHDRAW_CLOSED` (a trainee, once the class is no longer open or its first day has come), ' +
        '`409 NOT_WITHDRAWABLE` ' +
        'with `status` (already withdrawn or completed, or the class is over); `422 IDEMPOTENCY_KEY_REUSED`.',
    ].join('\n'),
  })
  @ApiOkResponse({ type: EnrolmentDto, description: 'Withdrawn; the first waitlisted trainee who fits takes the seat' })
  @ApiErrors(403, 404, 409, 422)
  async withdraw(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<EnrolmentDto> {
    return EnrolmentDto.from(await this.enrolments.withdraw(actor, id));
  }

  @Get('me/enrolments')
  @Roles('trainee')
  @ApiOperation({
    summary: 'Your enrolments',
    description:
      'Trainees: every enrolment of yours (withdrawn ones too), newest first, each with its class and every ' +
      'session of the class with venue and trainer (cancelled ones marked, so nobody comes in vain). Not ' +
      'paginated. **Errors**: `403 FORBIDDEN` (admins and trainers).',
  })
  @ApiOkResponse({ type: [MyEnrolmentDto] })
  @ApiErrors(403)
  async mine(@CurrentUser() actor: AuthUser): Promise<MyEnrolmentDto[]> {
    const list = await this.enrolments.mine(actor);
    const views = await this.views.sessions(list.flatMap((x) => x.sessions));
    return list.map(({ e, class: c }) => ({
      ...EnrolmentDto.from(e),
      class: c,
      sessions: views.filter((s) => s.classId === e.classId),
    }));
  }
}
