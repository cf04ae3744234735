import type { IncomingHttpHeaders } from 'node:http';
import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { AcceptsUpload, UploadedFileBuffer } from '../common/http/uploaded-file.decorator';
import { Translator } from '../common/i18n/translator';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiPageResponse } from '../common/openapi/api-docs.decorators';
import type { Page } from '../common/pagination/page.dto';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { rowErrorsInWords } from '../imports/imports.types';
import { ImportQuestionsQueryDto, QuestionImportResultDto } from './dto/question-import.dto';
import {
  CreateQuestionDto,
  ListQuestionsQueryDto,
  QuestionCategoriesQueryDto,
  QuestionCategoryDto,
  QuestionDto,
  UpdateQuestionDto,
} from './dto/question.dto';
import { MAX_QUESTION_IMPORT_ROWS } from './question-import.parser';
import { QuestionsImportService } from './questions-import.service';
import { QuestionsService } from './questions.service';

const WHO =
  "Admins who may edit the course (it is owned inside their part of the tree) and the trainers of the course's " +
  'classes (any status); trainees get 403.';

const RULES = [
  '- `category` 1–100 characters, one line; `prompt` and `feedback` at most 4,000; `points` more than 0, at ' +
    'most 1000, two decimals at most.',
  '- `single`: `options` 2–10 with distinct text (compared with width folded and spaces collapsed, case kept), ' +
    'at most 500 characters each, exactly one `correct`.',
  '- `multiple`: `options` as above, at least one `correct`; a `fraction` for every correct option (adding up to ' +
    '1) or for none (equal shares); a wrong option 0 to -1 (default: minus one share).',
  '- `truefalse`: `correct` (boolean).',
  '- `short`: `answers`, 1–20 accepted answers (answers that read the same once normalised are kept once).',
  '- `numerical`: `answer` a plain decimal as a number or text (full-width digits and a comma decimal read, ' +
    'no exponent), `tolerance` ≥ 0 (default 0), `toleranceType` `absolute` (default) or `relative` (a share ' +
    'of the answer). Both are answered as exact decimal strings.',
  '- A field of another type is refused (`not_allowed`). Options get server-made ids.',
].join('\n');

const INVALID =
  '`400 QUESTION_INVALID` with `field` and `reason` (required, not_allowed, no_correct_option, ' +
  'one_correct_option, too_few_options, too_many, duplicate_options, fractions, number, range, too_long, ' +
  'invalid, course)';

@ApiTags('questions')
@ApiBearerAuth()
@ApiErrors(400, 401, 403)
@Roles('admin', 'trainer')
@Controller('api/questions')
export class QuestionsController {
  constructor(
    private readonly questions: QuestionsService,
    private readonly importer: QuestionsImportService,
    private readonly translator: Translator,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List questions',
    description:
      `${WHO} The questions of the courses whose bank you keep, with their answers, by category then age; ` +
      'paginated. `courseId`, `category` (exact) and `type` filter; `q` matches part of the prompt. Deleted ' +
      'questions are not listed.',
  })
  @ApiPageResponse(QuestionDto)
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListQuestionsQueryDto): Promise<Page<QuestionDto>> {
    const page = await this.questions.list(actor, query);
    return { ...page, items: page.items.map((q) => QuestionDto.from(q)) };
  }

  @Get('categories')
  @ApiOperation({
    summary: "A course's question categories",
    description:
      `${WHO} Each category of the course's bank with its number of questions (deleted ones not counted), by ` +
      'name: what a quiz draws from. A course whose bank you do not keep answers an empty list.',
  })
  @ApiOkResponse({ type: [QuestionCategoryDto] })
  async categories(
    @CurrentUser() actor: AuthUser,
    @Query() query: QuestionCategoriesQueryDto,
  ): Promise<QuestionCategoryDto[]> {
    return this.questions.categories(actor, query.courseId);
  }

  @Post()
  @Idempotent()
  @ApiOperation({
    summary: 'Create a question',
    description: [
      `${WHO} Honours \`Idempotency-Key\`.`,
      '',
      RULES,
      '',
      `**Errors**: ${INVALID}; \`course\`: a course whose bank you do not keep. \`422 IDEMPOTENCY_KEY_REUSED\`.`,
    ].join('\n'),
  })
  @ApiBody({
    type: CreateQuestionDto,
    examples: {
      single: {
        summary: 'Single choice',
        value: {
          courseId: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
          category: '文字处理',
          type: 'single',
          prompt: '复制选中的文字，应按哪个快捷键？',
          points: 2,
          options: [{ text: 'Ctrl+C', correct: true }, { text: 'Ctrl+V' }, { text: 'Ctrl+X' }, { text: 'Ctrl+Z' }],
          feedback: 'Ctrl+C 复制，Ctrl+V 粘贴。',
        },
      },
      multiple: {
        summary: 'Multiple choice',
        value: {
          courseId: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
          category: '智能手机',
          type: 'multiple',
          prompt: '下列哪些是即时通讯软件？',
          points: 3,
          options: [{ text: '微信', correct: true }, { text: 'QQ', correct: true }, { text: '计算器' }],
        },
      },
      truefalse: {
        summary: 'True or false',
        value: {
          courseId: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
          category: '网络安全',
          type: 'truefalse',
          prompt: '收到陌生短信中的链接可以随意点击。',
          points: 1,
          correct: false,
        },
      },
      short: {
        summary: 'Short answer',
        value: {
          courseId: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
          category: '文字处理',
          type: 'short',
          prompt: 'Word 文档默认的扩展名是什么？',
          points: 1,
          answers: ['docx', '.docx'],
        },
      },
      numerical: {
        summary: 'Numerical',
        value: {
          courseId: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
          category: '电子表格',
          type: 'numerical',
          prompt: '=ROUND(3.14159, 2) 的结果是多少？',
          points: 2,
          answer: 3.14,
          tolerance: 0,
        },
      },
    },
  })
  @ApiCreatedResponse({ type: QuestionDto })
  @ApiErrors(422)
  async create(@CurrentUser() actor: AuthUser, @Body() dto: CreateQuestionDto): Promise<QuestionDto> {
    return QuestionDto.from(await this.questions.create(actor, dto));
  }

  @Post('import')
  @Idempotent()
  @HttpCode(200)
  @AcceptsUpload()
  @ApiOperation({
    summary: "Import questions into a course's bank",
    description: [
      `${WHO} A \`.xlsx\` (first sheet) or \`.csv\` (UTF-8 or GB18030/GBK) in the multipart field \`file\`, at ` +
        `most \`UPLOAD_LIMIT_BYTES\`, one row per question, at most ${MAX_QUESTION_IMPORT_ROWS} rows. ` +
        'Honours `Idempotency-Key`.',
      '',
      '- Columns (first row, Chinese or English, any order; others ignored): 分类/category, 题型/type ' +
        '(单选, 多选, 判断, 简答 or 填空, 数值, or single, multiple, truefalse, short, numerical), 题干/prompt, ' +
        '分值/points (default 1), 选项A…选项J (or optionA…, 选项1…), 答案/answer, 误差/tolerance, ' +
        '误差类型/toleranceType (绝对/相对, absolute/relative), 解析/feedback.',
      '- 答案: single, one letter; multiple, letters (`ACD`, `A,C,D`, `A、C`); truefalse, 对/错, 正确/错误, ' +
        '√/×, 是/否, true/false; short, accepted answers separated by `|`, `;` or `；`; numerical, a number. ' +
        'Fractions of multiple-choice options take their defaults.',
      '- Every row is checked by the rules of `POST /api/questions`. **All or nothing**: with any row error ' +
        'nothing is written (`created: 0`) and `errors` lists them by row and column; `dryRun=true` checks ' +
        'and writes nothing.',
      '',
      `**Errors**: \`400 QUESTION_INVALID\` (\`course\`: a course whose bank you do not keep); ` +
        '`400 IMPORT_INVALID_FILE` (unreadable, no header naming category, type and prompt, too many rows); ' +
        '`400 FILE_REQUIRED`; `413 PAYLOAD_TOO_LARGE`; `415 UNSUPPORTED_MEDIA_TYPE`; `422 IDEMPOTENCY_KEY_REUSED`.',
    ].join('\n'),
  })
  @ApiBody({
    description:
      'CSV or XLSX; the first row names the columns: 分类, 题型, 题干, 分值, 选项A…, 答案, 误差, 误差类型, 解析',
    schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } },
  })
  @ApiOkResponse({ type: QuestionImportResultDto })
  @ApiErrors(413, 415, 422)
  async import(
    @CurrentUser() actor: AuthUser,
    @UploadedFileBuffer('file') file: Buffer,
    @Query() query: ImportQuestionsQueryDto,
    @Headers() headers: IncomingHttpHeaders,
  ): Promise<QuestionImportResultDto> {
    const result = await this.importer.import(actor, query.courseId, file, query.dryRun === 'true');
    return { ...result, errors: rowErrorsInWords(this.translator, this.translator.languageOf(headers), result.errors) };
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get a question',
    description: `${WHO} With its answer. **Errors**: \`404 QUESTION_NOT_FOUND\` (deleted, or not in a bank you keep).`,
  })
  @ApiOkResponse({ type: QuestionDto })
  @ApiErrors(404)
  async get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<QuestionDto> {
    return QuestionDto.from(await this.questions.get(actor, id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Edit a question',
    description: [
      `${WHO} Fields left out stay; the whole question is then checked again, and \`version\` goes up by one. ` +
        'Attempts already made keep the question as they showed it.',
      '',
      "- A new `type` drops the old type's own fields (options, correct, answers, answer, tolerance, " +
        'toleranceType): give the new ones.',
      '- `options` replaces the list: an option whose text is unchanged keeps its id, any other gets a new one.',
      '- `feedback: null` (or "") clears it.',
      '',
      RULES,
      '',
      `**Errors**: ${INVALID}; \`404 QUESTION_NOT_FOUND\`.`,
    ].join('\n'),
  })
  @ApiOkResponse({ type: QuestionDto })
  @ApiErrors(404)
  async update(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateQuestionDto,
  ): Promise<QuestionDto> {
    return QuestionDto.from(await this.questions.update(actor, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a question',
    description:
      `${WHO} Only marks it deleted: it leaves lists, categories and draws, and attempts keep it as they ` +
      'showed it. **Errors**: `404 QUESTION_NOT_FOUND`; `409 QUESTION_IN_USE` with `quizIds`: a quiz that has ' +
      'not closed lists it among its fixed questions.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404, 409)
  async remove(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<void> {
    await this.questions.remove(actor, id);
  }

  @Put(':id/image')
  @AcceptsUpload()
  @ApiOperation({
    summary: "Set a question's picture",
    description:
      `${WHO} A PNG or JPEG (told by its bytes, not its name or declared type) of at most 1 MB (1,048,576 ` +
      'bytes) in the multipart field `file`. Replaces the picture (the old one is kept for attempts that ' +
      'showed it) and bumps `version`; the answer holds the new `imageUrl`. **Errors**: `400 ' +
      'QUESTION_IMAGE_INVALID` (not a PNG or JPEG); `400 FILE_REQUIRED`; `404 QUESTION_NOT_FOUND`; ' +
      '`413 QUESTION_IMAGE_TOO_LARGE` (over 1 MB), `413 PAYLOAD_TOO_LARGE` (over the upload limit); ' +
      '`415 UNSUPPORTED_MEDIA_TYPE` (not multipart/form-data).',
  })
  @ApiBody({
    description: 'The picture, PNG or JPEG, at most 1 MB',
    schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } },
  })
  @ApiOkResponse({ type: QuestionDto })
  @ApiErrors(404, 413, 415)
  async setImage(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @UploadedFileBuffer('file') file: Buffer,
  ): Promise<QuestionDto> {
    return QuestionDto.from(await this.questions.setImage(actor, id, file));
  }

  @Delete(':id/image')
  @ApiOperation({
    summary: "Remove a question's picture",
    description:
      `${WHO} The question shows no picture from now on (\`version\` goes up when it had one); attempts that ` +
      'showed it keep it. **Errors**: `404 QUESTION_NOT_FOUND`.',
  })
  @ApiOkResponse({ type: QuestionDto })
  @ApiErrors(404)
  async removeImage(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<QuestionDto> {
    return QuestionDto.from(await this.questions.removeImage(actor, id));
  }
}
