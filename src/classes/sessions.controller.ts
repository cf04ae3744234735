import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
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
  @ApiPageResponse(SessionDto)
  async search(@CurrentUser() actor: AuthUser, @Query() query: SearchSessionsQueryDto): Promise<Page<SessionDto>> {
    const page = await this.sessions.search(actor, query);
    return { ...page, items: await this.views.sessions(page.items) };
  }

  @Get('classes/:id/sessions')
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
  @ApiOkResponse({ type: SessionDto, description: 'The session, now cancelled (sessions are never deleted)' })
  @ApiErrors(403, 404, 409)
  async cancel(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<SessionDto> {
    return (await this.views.sessions([await this.sessions.cancel(actor, id)]))[0];
  }

  @Get('plans/:id/sessions')
  @Roles('admin')
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
