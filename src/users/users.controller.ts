import type { IncomingHttpHeaders } from 'node:http';
import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { AcceptsUpload, UploadedFileBuffer } from '../common/http/uploaded-file.decorator';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiPageResponse } from '../common/openapi/api-docs.decorators';
import type { Page } from '../common/pagination/page.dto';
import { Translator } from '../common/i18n/translator';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { CreateUserDto, ListUsersQueryDto, UpdateUserDto, UserDto } from './dto/user.dto';
import { rowErrorsInWords } from '../imports/imports.types';
import { ImportResultDto, ImportStartedDto, ImportUsersQueryDto } from './dto/user-import.dto';
import { UsersImportService } from './users-import.service';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly importer: UsersImportService,
    private readonly translator: Translator,
  ) {}

  @Get()
  @Roles('admin')
  @ApiOperation({
    summary: 'List users',
    description:
      'Admins: the accounts of their part of the tree, by display name, then username; paginated. ' +
      '`orgUnitId` keeps that unit and everything under it, `role` and `active` filter, `q` matches part of ' +
      'the display name, username or phone (case-insensitive). **Errors**: `403 FORBIDDEN`; ' +
      '`404 ORG_UNIT_NOT_FOUND` (`orgUnitId` outside your part).',
  })
  @ApiPageResponse(UserDto)
  @ApiErrors(403, 404)
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListUsersQueryDto): Promise<Page<UserDto>> {
    const page = await this.users.list(actor, query);
    return { ...page, items: page.items.map((u) => UserDto.from(u)) };
  }

  @Post()
  @Idempotent()
  @Roles('admin')
  @ApiOperation({
    summary: 'Create a user',
    description: [
      'Admins: an admin, trainer or trainee account in a unit of their part of the tree. Honours `Idempotency-Key`.',
      '',
      '- `username` (often the phone number) is stored in lower case and unique; `password` is 8–128 characters ' +
        'and never answered.',
      '- Trainees count for the township they belong to (or the township above their village) when they enrol.',
      '',
      '**Errors**: `404 ORG_UNIT_NOT_FOUND` (unit outside your part); `409 USERNAME_TAKEN`; ' +
        '`422 IDEMPOTENCY_KEY_REUSED`.',
    ].join('\n'),
  })
  @ApiBody({
    type: CreateUserDto,
    examples: {
      trainee: {
        summary: 'A village service-point worker',
        value: {
          username: '13937000001',
          password: 'Yiyang@2027',
          displayName: '王芳',
          role: 'trainee',
          orgUnitId: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
          phone: '13937000001',
          education: 'secondary',
          proficiency: 'basic',
        },
      },
      trainer: {
        summary: 'A trainer of the county library',
        value: {
          username: 'liwei',
          password: 'Trainer@2027',
          displayName: '李伟',
          role: 'trainer',
          orgUnitId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
          phone: '13837900001',
          email: 'liwei@example.com',
        },
      },
    },
  })
  @ApiCreatedResponse({ type: UserDto })
  @ApiErrors(403, 404, 409, 422)
  async create(@CurrentUser() actor: AuthUser, @Body() dto: CreateUserDto): Promise<UserDto> {
    return UserDto.from(await this.users.create(actor, dto));
  }

  @Post('import')
  // Generated passwords are never stored in idempotency_keys (they would sit there in plain text).
  @Idempotent({ redact: ['credentials'] })
  @Roles('admin')
  @HttpCode(200)
  @AcceptsUpload()
  @ApiOperation({
    summary: 'Import trainees from a spreadsheet',
    description: [
      'Admins. A `.xlsx` (first sheet) or `.csv` (UTF-8 with or without BOM, or GB18030/GBK) in the multipart ' +
        'field `file`, at most `UPLOAD_LIMIT_BYTES` (5 MiB by default). `dryRun=true` checks every row and ' +
        'writes nothing. Honours `Idempotency-Key`.',
      '',
      '- A file of more than `IMPORT_ASYNC_ROWS` rows (200 by default), not a dry run, is checked at once (a bad ' +
        'file is still a 400) and then written in the background: the answer is `202 {importId, status, total}` ' +
        'with `Location: /api/imports/{importId}`, where its progress, row errors and (once, when finished) ' +
        'generated passwords are read. Smaller files and dry runs answer 200 with the result.',
      '- Columns (first row, English or Chinese names, any order): username/用户名 (or phone/手机号 in its ' +
        'place), displayName/姓名, orgUnit/单位 (a name unique in your part of the tree) or orgUnitCode/单位编码, ' +
        'and optionally password/密码 (8–128), email/邮箱, education/学历, proficiency/计算机水平.',
      '- Good rows create trainees, or update the trainee with that username (its password only when the ' +
        'file has one), all in one transaction; bad rows are reported in `errors` by spreadsheet row and ' +
        'written not at all. A username held by a non-trainee, or outside your part, is a row error.',
      '- New trainees without a password get a generated one, listed once in `credentials`. A replay with the ' +
        'same `Idempotency-Key` answers `credentials: []` and `credentialsRedacted: true`.',
      '- At most 5,000 rows (6,000 lines), 200 columns; a workbook of at most 1,000 files, unencrypted, that ' +
        'unzips to at most 20 MB.',
      '',
      '**Errors**: `400 IMPORT_INVALID_FILE` (unreadable, too many rows or columns, bad encoding: the message ' +
        'says which), `400 FILE_REQUIRED`; `403 FORBIDDEN`; `413 PAYLOAD_TOO_LARGE`; `415 UNSUPPORTED_MEDIA_TYPE` ' +
        '(not multipart/form-data); `422 IDEMPOTENCY_KEY_REUSED`.',
    ].join('\n'),
  })
  @ApiBody({
    description:
      'CSV (UTF-8 or GB18030) or XLSX; first row names the columns: username/用户名, displayName/姓名, phone/手机号, ' +
      'orgUnit/单位 or orgUnitCode/单位编码, and optionally password/密码, email/邮箱, education/学历, proficiency/计算机水平',
    schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } },
  })
  @ApiOkResponse({
    type: ImportResultDto,
    description:
      'Generated passwords are in `credentials` of this answer only. A retry with the same Idempotency-Key ' +
      'replays the answer with `credentials: []` and `credentialsRedacted: true`: reset those users’ passwords instead.',
  })
  @ApiAcceptedResponse({
    type: ImportStartedDto,
    description: 'More than `IMPORT_ASYNC_ROWS` rows: written in the background; follow `Location`',
  })
  @ApiErrors(403, 413, 415, 422)
  async import(
    @CurrentUser() actor: AuthUser,
    @UploadedFileBuffer('file') file: Buffer,
    @Query() query: ImportUsersQueryDto,
    @Headers() headers: IncomingHttpHeaders,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportResultDto | ImportStartedDto> {
    const result = await this.importer.import(actor, file, query.dryRun === 'true');
    if ('importId' in result) {
      void reply.status(HttpStatus.ACCEPTED).header('Location', `/api/imports/${result.importId}`);
      return result;
    }
    return { ...result, errors: rowErrorsInWords(this.translator, this.translator.languageOf(headers), result.errors) };
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Get a user',
    description:
      'Admins read any account of their part of the tree; trainers and trainees only their own. ' +
      '**Errors**: `404 USER_NOT_FOUND` (no such user, or not one you may read).',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(404)
  async get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<UserDto> {
    return UserDto.from(await this.users.getVisible(actor, id));
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Update a user',
    description: [
      'Admins update accounts of their part of the tree: every field but `username`. Anyone (admins included) ' +
        'may change only `displayName`, `phone` and `email` on their own account. Fields left out stay.',
      '',
      '- `null` clears `phone`, `email`, `education` and `proficiency`.',
      '- A new `orgUnitId` must be inside your part of the tree.',
      "- Changing the role, deactivating (`active: false`) or setting a password ends the user's sessions at " +
        'once (its tokens and calendar feed address stop working).',
      '',
      '**Errors**: `403 SELF_CHANGE_FORBIDDEN` with `field` (another field on your own account); ' +
        "`404 USER_NOT_FOUND` (not in your part, or someone else's account for a trainer or trainee), " +
        '`404 ORG_UNIT_NOT_FOUND` (new unit outside your part).',
    ].join('\n'),
  })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(403, 404)
  async update(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateUserDto,
  ): Promise<UserDto> {
    return UserDto.from(await this.users.update(actor, id, dto));
  }
}
