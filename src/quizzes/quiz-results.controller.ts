import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { sendAsFile, XLSX_TYPE } from '../common/http/download';
import { ApiErrors, ApiJsonOrFileResponse } from '../common/openapi/api-docs.decorators';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { ClassGradesDto, GradesQueryDto, LeaderboardDto, QuizStatisticsDto } from './dto/quiz-results.dto';
import { gradesXlsx } from './grades.export';
import { QuizResultsService } from './quiz-results.service';

@ApiTags('quizzes')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api')
export class QuizResultsController {
  constructor(private readonly results: QuizResultsService) {}

  @Get('quizzes/:id/leaderboard')
  @ApiOperation({
    summary: "A quiz's leaderboard, by trainee and by township",
    description: [
      "Admins of the class's county and its trainers, for any quiz; trainees holding a seat in the class, for a " +
        '`contest` only. Live while the quiz is open (`live`), counted from finished attempts (overdue ones are ' +
        'closed first).',
      '',
      '- **Trainees** by their best finished attempt: highest score, then the shortest time taken (finishedAt − ' +
        'startedAt), then the earliest finish. Lines equal on all three share a rank (1, 1, 3).',
      "- **Townships** (the township a trainee represented when starting): the mean of their trainees' best " +
        'percent (percent rather than score, since random draws can give different maximum scores), with the ' +
        'number of trainees counted; equal means share a rank.',
      '- **Polling**: the answer carries a strong `ETag`; send it back in `If-None-Match` and get `304` with no ' +
        'body while nothing changed (an attempt finishing, an edit of the quiz or its closing changes it). A ' +
        'poll that gets 304 costs one count, not a new board.',
      '',
      '**Errors**: `403 FORBIDDEN` (a trainee, when the quiz is not a contest); `404 QUIZ_NOT_FOUND`.',
    ].join('\n'),
  })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'The ETag of the board you have' })
  @ApiOkResponse({ type: LeaderboardDto, headers: { ETag: { description: 'Strong tag of this answer' } } })
  @ApiResponse({ status: 304, description: 'Not modified since the ETag sent in If-None-Match' })
  @ApiErrors(403, 404)
  async leaderboard(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LeaderboardDto | undefined> {
    const { etag, board } = await this.results.leaderboard(actor, id, ifNoneMatch);
    void reply.header('etag', etag).header('cache-control', 'private, no-cache');
    if (board) return board;
    void reply.status(304);
    return undefined;
  }

  @Get('quizzes/:id/statistics')
  @Roles('admin', 'trainer')
  @ApiOperation({
    summary: "A quiz's statistics, per question",
    description: [
      "Admins of the class's county and its trainers. Moodle's quiz statistics over **every** finished attempt " +
        '(not only each trainee’s first or best; overdue attempts are closed first): attempts, mean and median ' +
        'percent and passes for the quiz; per question, in the quiz’s order:',
      '',
      '- `attempts` that contained it (fewer than all for a random draw) and how many `answered` it;',
      '- `meanScore` (points), `meanFraction`, `facilityIndex` (meanFraction × 100: how easy it was), ' +
        '`standardDeviation` (of the fraction, × 100);',
      "- `discriminationIndex`: 100 × Pearson's r between the points earned on the question and on the rest of the " +
        'attempt; null below 2 attempts or when either does not vary. Low or negative: the question does not ' +
        'separate trainees who know the material from those who do not;',
      '- for single, multiple and true/false questions, every option with `correct` and how often it was picked ' +
        '(`share` of the attempts containing the question): what the townships did not understand.',
      '',
      '**Errors**: `403 FORBIDDEN` (trainees); `404 QUIZ_NOT_FOUND`.',
    ].join('\n'),
  })
  @ApiOkResponse({ type: QuizStatisticsDto })
  @ApiErrors(403, 404)
  statistics(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<QuizStatisticsDto> {
    return this.results.statistics(actor, id);
  }

  @Get('classes/:id/grades')
  @Roles('admin', 'trainer')
  @ApiOperation({
    summary: "A class's quiz grades",
    description: [
      "Admins of the class's county and its trainers. Every trainee holding a seat × every quiz of the class " +
        '(quizzes by opening time): the grade by the quiz’s grading method (`highest`, `last` or `first` finished ' +
        'attempt, or the `average` of the finished ones), `passed` (grade ≥ passPercent) and attempts started. ' +
        'A trainee with no finished attempt has `percent: null, passed: null`. This grade is what certificates check.',
      '',
      '- `format=xlsx` downloads it as a workbook (学员, 乡镇, then 成绩 and 是否通过 per quiz).',
      '',
      '**Errors**: `403 FORBIDDEN` (trainees); `404 CLASS_NOT_FOUND`.',
    ].join('\n'),
  })
  @ApiJsonOrFileResponse(ClassGradesDto, [XLSX_TYPE], 'format=xlsx downloads it as a workbook')
  @ApiErrors(403, 404)
  async grades(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Query() query: GradesQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ClassGradesDto | Buffer> {
    const grades = await this.results.classGrades(actor, id);
    if (query.format !== 'xlsx') return grades;
    sendAsFile(reply, `${grades.title}-测验成绩.xlsx`, XLSX_TYPE);
    return gradesXlsx(grades);
  }
}
