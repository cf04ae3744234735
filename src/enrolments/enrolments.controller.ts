import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { sendAsFile, XLSX_TYPE } from '../common/http/download';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors } from '../common/openapi/api-docs.decorators';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { ClassViewsService } from '../classes/class-views.service';
import { ClassesService } from '../classes/classes.service';
import {
  CreateEnrolmentDto,
  EnrolmentDto,
  MyEnrolmentDto,
  QuotaDto,
  RosterDto,
  RosterQueryDto,
} from './dto/enrolment.dto';
import { EnrolmentsService } from './enrolments.service';
import { rosterCsv, rosterXlsx } from './roster.export';

@ApiTags('enrolments')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api')
export class EnrolmentsController {
  constructor(
    private readonly enrolments: EnrolmentsService,
    private readonly classes: ClassesService,
    private readonly views: ClassViewsService,
  ) {}

  @Post('classes/:id/enrolments')
  @Idempotent()
  @Roles('admin', 'trainee')
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
  @ApiOkResponse({ type: RosterDto, description: 'By township; format=csv or xlsx downloads the roster' })
  @ApiProduces('application/json', 'text/csv', XLSX_TYPE)
  @ApiErrors(404)
  async roster(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Query() query: RosterQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RosterDto | Buffer> {
    const roster = await this.enrolments.roster(actor, id);
    if (!query.format || query.format === 'json') return roster;
    const c = await this.classes.getVisible(actor, id);
    const filename = `${c.entity.title}-花名册.${query.format}`;
    if (query.format === 'csv') {
      sendAsFile(reply, filename, 'text/csv; charset=utf-8');
      return rosterCsv(roster);
    }
    sendAsFile(reply, filename, XLSX_TYPE);
    return rosterXlsx(roster, c.entity.title);
  }

  @Get('classes/:id/quota')
  @Roles('admin', 'trainer')
  @ApiOkResponse({ type: QuotaDto })
  @ApiErrors(403, 404)
  quota(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<QuotaDto> {
    return this.enrolments.quota(actor, id);
  }

  @Post('enrolments/:id/withdraw')
  @Idempotent()
  @Roles('admin', 'trainee')
  @HttpCode(200)
  @ApiOkResponse({ type: EnrolmentDto, description: 'Withdrawn; the first waitlisted trainee who fits takes the seat' })
  @ApiErrors(403, 404, 409, 422)
  async withdraw(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<EnrolmentDto> {
    return EnrolmentDto.from(await this.enrolments.withdraw(actor, id));
  }

  @Get('me/enrolments')
  @Roles('trainee')
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
