import type { IncomingHttpHeaders } from 'node:http';
import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { AcceptsUpload, UploadedFileBuffer } from '../common/http/uploaded-file.decorator';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiPageResponse } from '../common/openapi/api-docs.decorators';
import type { Page } from '../common/pagination/page.dto';
import { Translator } from '../common/i18n/translator';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { CreateUserDto, ListUsersQueryDto, UpdateUserDto, UserDto } from './dto/user.dto';
import { ImportResultDto, ImportUsersQueryDto } from './dto/user-import.dto';
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
  @ApiPageResponse(UserDto)
  @ApiErrors(403, 404)
  async list(@CurrentUser() actor: AuthUser, @Query() query: ListUsersQueryDto): Promise<Page<UserDto>> {
    const page = await this.users.list(actor, query);
    return { ...page, items: page.items.map((u) => UserDto.from(u)) };
  }

  @Post()
  @Idempotent()
  @Roles('admin')
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
  @ApiErrors(403, 413, 415, 422)
  async import(
    @CurrentUser() actor: AuthUser,
    @UploadedFileBuffer('file') file: Buffer,
    @Query() query: ImportUsersQueryDto,
    @Headers() headers: IncomingHttpHeaders,
  ): Promise<ImportResultDto> {
    const result = await this.importer.import(actor, file, query.dryRun === 'true');
    const lang = this.translator.languageOf(headers);
    return {
      ...result,
      errors: result.errors.map(({ args, ...e }) => ({
        ...e,
        message: this.translator.t(`importRows.${e.code}#${e.field}`, lang, args),
      })),
    };
  }

  @Get(':id')
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(404)
  async get(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<UserDto> {
    return UserDto.from(await this.users.getVisible(actor, id));
  }

  @Patch(':id')
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(403, 404, 409)
  async update(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateUserDto,
  ): Promise<UserDto> {
    return UserDto.from(await this.users.update(actor, id, dto));
  }
}
