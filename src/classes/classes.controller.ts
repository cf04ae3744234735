import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
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
  @ApiPageResponse(ClassDto)
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListClassesQueryDto): Promise<Page<ClassDto>> {
    const page = await this.classes.list(actor, query);
    return { ...page, items: await this.views.classes(page.items) };
  }

  @Post()
  @Idempotent()
  @Roles('admin')
  @ApiCreatedResponse({ type: ClassDto })
  @ApiErrors(403, 404, 422)
  async create(@CurrentUser() actor: AuthUser, @Body() dto: CreateClassDto): Promise<ClassDto> {
    return this.views.class(await this.classes.create(actor, dto));
  }

  @Get(':id')
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
  @ApiOkResponse({ type: ClassDto, description: 'draft > open: enrolment can start' })
  @ApiErrors(403, 404, 409, 422)
  open(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<ClassDto> {
    return this.transition(actor, id, 'open');
  }

  @Post(':id/start')
  @Idempotent()
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: ClassDto, description: 'open > running' })
  @ApiErrors(403, 404, 409, 422)
  start(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<ClassDto> {
    return this.transition(actor, id, 'start');
  }

  @Post(':id/complete')
  @Idempotent()
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: ClassDto, description: 'running > completed' })
  @ApiErrors(403, 404, 409, 422)
  complete(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<ClassDto> {
    return this.transition(actor, id, 'complete');
  }

  @Post(':id/cancel')
  @Idempotent()
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: ClassDto, description: 'draft, open or running > cancelled' })
  @ApiErrors(403, 404, 409, 422)
  cancel(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<ClassDto> {
    return this.transition(actor, id, 'cancel');
  }

  private async transition(actor: AuthUser, id: string, action: ClassAction): Promise<ClassDto> {
    return this.views.class(await this.classes.transition(actor, id, action));
  }
}
