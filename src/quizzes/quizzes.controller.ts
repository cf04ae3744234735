import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiPageResponse } from '../common/openapi/api-docs.decorators';
import type { Page } from '../common/pagination/page.dto';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import {
  CreateQuizDto,
  ListQuizzesQueryDto,
  OverrideDto,
  QuizDto,
  QuizOverrideDto,
  UpdateQuizDto,
} from './dto/quiz.dto';
import { QuizzesService } from './quizzes.service';

@ApiTags('quizzes')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api/quizzes')
export class QuizzesController {
  constructor(private readonly quizzes: QuizzesService) {}

  @Get()
  @ApiOperation({
    summary: 'Quizzes',
    description:
      'Admins: the quizzes of classes in their part of the tree; trainers: of the classes they teach; trainees: of ' +
      'the announced classes where they hold a seat (without the fixed question list). Newest opening first. ' +
      'Filters `classId`, `mode`.',
  })
  @ApiPageResponse(QuizDto)
  list(@CurrentUser() actor: AuthUser, @Query() query: ListQuizzesQueryDto): Promise<Page<QuizDto>> {
    return this.quizzes.list(actor, query);
  }

  @Post()
  @Idempotent()
  @Roles('admin', 'trainer')
  @ApiOperation({
    summary: 'Set up a quiz or contest for a class',
    description: [
      "Admins of the class's county and the class's trainers. Fixed `questionIds` (in order) or a random `draw` " +
        "of `count` questions per category, from the bank of the class's course; each attempt keeps its own " +
        'copy of what it drew, so later edits to the bank never change it.',
      '',
      '- `shuffle` (default true) orders questions and options differently per attempt, the same within one.',
      '- An attempt lasts `timeLimitSeconds` (none: until the close) and never past `closesAt`.',
      '- `gradingMethod` makes the grade from a trainee’s finished attempts: `highest`, `last`, `first` or ' +
        '`average` of their percents; `passPercent` of the points passes.',
      '- `reviewPolicy`: `score_only` (default) or `answers_after_close` (right answers and feedback once the ' +
        'quiz has closed for everyone).',
      '- `mode: contest` adds live leaderboards by trainee and by township.',
      '- Trainees who have not handed in are reminded `QUIZ_CLOSING_REMINDER_MINUTES` (1,440) before the close, ' +
        'or halfway through a shorter quiz.',
      '',
      '**Errors**: `400 QUIZ_SOURCE_INVALID` (neither or both of questionIds and draw, a category twice, more ' +
        'than 200 questions), `400 QUIZ_WINDOW_INVALID`; `403 FORBIDDEN` (trainees); `404 CLASS_NOT_FOUND`; ' +
        '`409 QUIZ_CLASS_NOT_ACTIVE` (cancelled class); `422 QUIZ_QUESTIONS_INVALID` with `questionIds`, ' +
        '`422 QUIZ_DRAW_TOO_LARGE` with `category` and `available`.',
    ].join('\n'),
  })
  @ApiCreatedResponse({ type: QuizDto })
  @ApiErrors(403, 404, 409, 422)
  create(@CurrentUser() actor: AuthUser, @Body() dto: CreateQuizDto): Promise<QuizDto> {
    return this.quizzes.create(actor, dto);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'A quiz',
    description:
      "Admins in scope, the class's trainers, and trainees holding a seat in the class (without the fixed " +
      'question list). **Errors**: `404 QUIZ_NOT_FOUND`.',
  })
  @ApiOkResponse({ type: QuizDto })
  @ApiErrors(404)
  get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<QuizDto> {
    return this.quizzes.get(actor, id);
  }

  @Patch(':id')
  @Roles('admin', 'trainer')
  @ApiOperation({
    summary: 'Change a quiz',
    description:
      'Any field but the class. Once a trainee has started, `questionIds`, `draw` and `mode` are fixed. A new ' +
      'close or time limit moves the deadlines of attempts in progress (never before their start plus the ' +
      'limit that applies). **Errors**: as for creating, and `409 QUIZ_HAS_ATTEMPTS` with `fields`.',
  })
  @ApiOkResponse({ type: QuizDto })
  @ApiErrors(403, 404, 409, 422)
  update(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateQuizDto,
  ): Promise<QuizDto> {
    return this.quizzes.update(actor, id, dto);
  }

  @Get(':id/overrides')
  @Roles('admin', 'trainer')
  @ApiOperation({ summary: "A quiz's overrides", description: '**Errors**: `404 QUIZ_NOT_FOUND`.' })
  @ApiOkResponse({ type: [QuizOverrideDto] })
  @ApiErrors(403, 404)
  overrides(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<QuizOverrideDto[]> {
    return this.quizzes.overrides(actor, id);
  }

  @Put(':id/overrides/:traineeId')
  @Roles('admin', 'trainer')
  @ApiOperation({
    summary: 'Give one trainee extra time, a later close or more attempts',
    description:
      'Replaces the trainee’s override (left-out fields are 0 or none). Their attempt in progress gets its new ' +
      'deadline at once. **Errors**: `404 QUIZ_NOT_FOUND`; `400 QUIZ_WINDOW_INVALID` (a close before the ' +
      'quiz opens); `422 QUIZ_OVERRIDE_TRAINEE_INVALID` (no seat in the class).',
  })
  @ApiOkResponse({ type: QuizOverrideDto })
  @ApiErrors(403, 404, 422)
  setOverride(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Param('traineeId', ParseIdPipe) traineeId: string,
    @Body() dto: OverrideDto,
  ): Promise<QuizOverrideDto> {
    return this.quizzes.setOverride(actor, id, traineeId, dto);
  }

  @Delete(':id/overrides/:traineeId')
  @Roles('admin', 'trainer')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a trainee’s override', description: '**Errors**: `404 QUIZ_NOT_FOUND`.' })
  @ApiNoContentResponse({ description: 'Removed (or there was none)' })
  @ApiErrors(403, 404)
  async removeOverride(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Param('traineeId', ParseIdPipe) traineeId: string,
  ): Promise<void> {
    await this.quizzes.removeOverride(actor, id, traineeId);
  }
}
