import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiPageResponse } from '../common/openapi/api-docs.decorators';
import type { Page } from '../common/pagination/page.dto';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { AttemptsService } from './attempts.service';
import {
  AttemptDto,
  AttemptSummaryDto,
  ListAttemptsQueryDto,
  MyAttemptsQueryDto,
  SaveAnswersDto,
  SaveAnswersResultDto,
  SubmitResultDto,
} from './dto/attempt.dto';

@ApiTags('quizzes')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api')
export class AttemptsController {
  constructor(private readonly attempts: AttemptsService) {}

  @Post('quizzes/:id/attempts')
  @Idempotent()
  @Roles('trainee')
  @ApiOperation({
    summary: 'Start an attempt (or get back the one in progress)',
    description: [
      'A trainee holding a seat in the class, while the quiz is open for them, with attempts left. One attempt ' +
        'in progress per trainee and quiz, also when two starts arrive at once: starting again answers the open ' +
        'attempt (200) instead of a new one (201), with the answers saved so far in `given`.',
      '',
      '- The questions come with their options in this attempt’s order, never with a right answer.',
      '- `deadline` is the earlier of the start plus the time limit (and any extra time) and the close; only ' +
        "the server sets it. `now` is the server's clock: count down from it, not from the phone's.",
      '- At the deadline (after `QUIZ_GRACE_SECONDS`, 30) the server closes and grades the attempt as of the ' +
        'deadline, whether or not it was handed in.',
      '',
      '**Errors**: `403 FORBIDDEN` (staff); `404 QUIZ_NOT_FOUND` (no seat in the class, or a class not announced ' +
        'or cancelled); `409 QUIZ_NOT_OPEN` with `opensAt`, `409 QUIZ_CLOSED` with `closesAt`, ' +
        '`409 QUIZ_NO_ATTEMPTS_LEFT` with `allowed`.',
    ].join('\n'),
  })
  @ApiCreatedResponse({ type: AttemptDto, description: 'A new attempt (200: the one in progress)' })
  @ApiErrors(403, 404, 409)
  async start(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AttemptDto> {
    const { attempt, created } = await this.attempts.start(actor, id);
    if (!created) void reply.status(200);
    return attempt;
  }

  @Get('quizzes/:id/attempts')
  @Roles('admin', 'trainer')
  @ApiOperation({
    summary: "A quiz's attempts",
    description:
      "Admins in scope and the class's trainers: every attempt with trainee, times, how it ended and the score; " +
      'newest first; filters `traineeId`, `status`. Overdue attempts are closed first. **Errors**: ' +
      '`404 QUIZ_NOT_FOUND`.',
  })
  @ApiPageResponse(AttemptSummaryDto)
  @ApiErrors(403, 404)
  listForQuiz(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Query() query: ListAttemptsQueryDto,
  ): Promise<Page<AttemptSummaryDto>> {
    return this.attempts.listForQuiz(actor, id, query);
  }

  @Get('me/attempts')
  @Roles('trainee')
  @ApiOperation({ summary: 'My attempts', description: 'Newest first; filter `quizId`.' })
  @ApiPageResponse(AttemptSummaryDto)
  @ApiErrors(403)
  mine(@CurrentUser() actor: AuthUser, @Query() query: MyAttemptsQueryDto): Promise<Page<AttemptSummaryDto>> {
    return this.attempts.mine(actor, query);
  }

  @Put('attempts/:id/answers')
  @Roles('trainee')
  @ApiOperation({
    summary: 'Save answers as they are given',
    description: [
      'Any subset of the questions, as often as you like: send each answer when it is given, so a lost ' +
        'connection loses nothing. Repeating a save changes nothing.',
      '',
      '- `single`: `optionIds` with one id; `multiple`: the ticked ids; `truefalse`: `optionIds: ["true"]` or ' +
        '`value: true`; `short`: `text`; `numerical`: `value` (a number) or `text` as typed. An empty ' +
        '`optionIds` or `text` clears the answer.',
      '- `answeredAt`: when the answer was given (an outbox sends it later). A stored answer given later is ' +
        'kept (the question is listed in `stale`). Times after the server’s now count as now.',
      "- The answer holds the server's `now` and the `deadline`: correct the phone's clock with them.",
      '- After the deadline, for `QUIZ_GRACE_SECONDS`, answers given by the deadline are still saved; later ones ' +
        'are listed in `late`.',
      '',
      '**Errors**: `400 ATTEMPT_ANSWERS_INVALID` with `questionIds` (not a question of the attempt, or not in ' +
        'its type’s form; nothing is saved); `404 ATTEMPT_NOT_FOUND` (not yours); `409 ATTEMPT_CLOSED` with ' +
        '`deadline`.',
    ].join('\n'),
  })
  @ApiOkResponse({ type: SaveAnswersResultDto })
  @ApiErrors(403, 404, 409)
  save(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: SaveAnswersDto,
  ): Promise<SaveAnswersResultDto> {
    return this.attempts.saveAnswers(actor, id, dto.answers);
  }

  @Post('attempts/:id/submit')
  @Idempotent()
  @Roles('trainee')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Hand in',
    description:
      'Grades the attempt and answers the score (per the review policy, no answers). Handing in again answers ' +
      'the same result. Within `QUIZ_GRACE_SECONDS` after the deadline the hand-in still counts, finished at ' +
      'the deadline. **Errors**: `404 ATTEMPT_NOT_FOUND`; `409 ATTEMPT_CLOSED` with `deadline` (the server ' +
      'closed it at the deadline: read it for the result).',
  })
  @ApiOkResponse({ type: SubmitResultDto })
  @ApiErrors(403, 404, 409)
  submit(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<SubmitResultDto> {
    return this.attempts.submit(actor, id);
  }

  @Get('attempts/:id')
  @ApiOperation({
    summary: 'An attempt',
    description:
      "Its trainee, the class's trainers and admins in scope (others 404). Questions in the attempt's order " +
      'with the saved answers (`given`). The score once finished; right answers, points per question and ' +
      'feedback (`review: true`) for staff always, for the trainee only under `answers_after_close` once the ' +
      'quiz has closed for everyone. An overdue attempt is closed first. **Errors**: `404 ATTEMPT_NOT_FOUND`.',
  })
  @ApiOkResponse({ type: AttemptDto })
  @ApiErrors(404)
  get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<AttemptDto> {
    return this.attempts.get(actor, id);
  }
}
