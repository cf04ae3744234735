import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  @ApiOperation({
    summary: 'List courses',
    description:
      'Every role: the catalogue visible to you, by title; paginated. That is the courses owned by your unit ' +
      'or a unit above it (a province-wide catalogue reaches down the tree) and, for admins, also those owned ' +
      'inside their part of the tree. `level` filters; `q` matches part of the title or of a topic.',
  })
  @ApiPageResponse(CourseDto)
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListCoursesQueryDto): Promise<Page<CourseDto>> {
    const page = await this.courses.list(actor, query);
    return { ...page, items: page.items.map((c) => CourseDto.from(c)) };
  }

  @Post()
  @Idempotent()
  @Roles('admin')
  @ApiOperation({
    summary: 'Create a course',
    description: [
      "Admins. The course belongs to the admin's own unit: its admins (and those above) maintain it, and " +
        'everyone under it sees it. Honours `Idempotency-Key`.',
      '',
      '- `hours`: more than 0, at most 1000, one decimal at most.',
      '- `topics`: at most 30 distinct topics (case-insensitive) of 1–50 characters.',
      '',
      '**Errors**: `403 FORBIDDEN`; `422 IDEMPOTENCY_KEY_REUSED`.',
    ].join('\n'),
  })
  @ApiBody({
    type: CreateCourseDto,
    examples: {
      basics: {
        summary: 'A beginners course',
        value: {
          title: '电脑基础与智能手机应用',
          level: 'beginner',
          hours: 12.5,
          description: '面向乡镇综合文化站和村级服务点工作人员，学习电脑操作、智能手机应用和网上办事。',
          topics: ['文字处理', '智能手机', '网上办事'],
        },
      },
    },
  })
  @ApiCreatedResponse({ type: CourseDto })
  @ApiErrors(403, 422)
  async create(@CurrentUser() actor: AuthUser, @Body() dto: CreateCourseDto): Promise<CourseDto> {
    return CourseDto.from(await this.courses.create(actor, dto));
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get a course',
    description:
      'Every role, for a course visible to it (see the list). **Errors**: `404 COURSE_NOT_FOUND` (no such ' +
      'course, or not visible to you).',
  })
  @ApiOkResponse({ type: CourseDto })
  @ApiErrors(404)
  async get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<CourseDto> {
    return CourseDto.from(await this.courses.getVisible(actor, id));
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({
    summary: 'Update a course',
    description:
      'Admins, for courses owned inside their part of the tree; a catalogue from above is read-only. Fields ' +
      'left out stay; `topics` replaces the list; `description: null` (or "") clears it. ' +
      '**Errors**: `403 FORBIDDEN`; `404 COURSE_NOT_FOUND` (including a course from above).',
  })
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
