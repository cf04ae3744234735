import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiPageResponse } from '../common/openapi/api-docs.decorators';
import type { Page } from '../common/pagination/page.dto';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { CoursesService } from './courses.service';
import { CourseDto, CreateCourseDto, ListCoursesQueryDto, UpdateCourseDto } from './dto/course.dto';

@ApiTags('courses')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api/courses')
export class CoursesController {
  constructor(private readonly courses: CoursesService) {}

  /** Every role reads the catalogue visible to it (its own unit's, and those from above). */
  @Get()
  @ApiPageResponse(CourseDto)
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListCoursesQueryDto): Promise<Page<CourseDto>> {
    const page = await this.courses.list(actor, query);
    return { ...page, items: page.items.map((c) => CourseDto.from(c)) };
  }

  @Post()
  @Idempotent()
  @Roles('admin')
  @ApiCreatedResponse({ type: CourseDto })
  @ApiErrors(403, 422)
  async create(@CurrentUser() actor: AuthUser, @Body() dto: CreateCourseDto): Promise<CourseDto> {
    return CourseDto.from(await this.courses.create(actor, dto));
  }

  @Get(':id')
  @ApiOkResponse({ type: CourseDto })
  @ApiErrors(404)
  async get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<CourseDto> {
    return CourseDto.from(await this.courses.getVisible(actor, id));
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ type: CourseDto })
  @ApiErrors(403, 404)
  async update(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateCourseDto,
  ): Promise<CourseDto> {
    return CourseDto.from(await this.courses.update(actor, id, dto));
  }
}
