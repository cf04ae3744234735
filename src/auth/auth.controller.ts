import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Public } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-docs.decorators';
import { UserDto } from '../users/dto/user.dto';
import type { User } from '../users/user.types';
import { AuthService } from './auth.service';
import { LoginDto, LoginResponseDto } from './dto/login.dto';
import { LocalAuthGuard } from './local-auth.guard';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @UseGuards(LocalAuthGuard)
  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in',
    description: [
      '**Public.** Checks a username (case-insensitive) and password and answers a bearer token, its lifetime ' +
        'in seconds (`JWT_EXPIRES_IN_SECONDS`, 12 h by default) and the account. Send the token as ' +
        '`Authorization: Bearer <accessToken>`; it stops working at once when an admin deactivates the account, ' +
        'changes its role or resets its password.',
      '',
      '- Failed sign-ins are limited per username and address, per username from addresses it has not signed in ' +
        'from lately, and per address. Past a limit the answer is `429` with `Retry-After`: 1 minute at first, ' +
        'doubled with each further failure, at most 15 minutes. A right password clears its own failures.',
      '- A deactivated account with the right password is answered (and counted) like a wrong password.',
      '- No `Idempotency-Key`: a token is never stored for a replay.',
      '',
      '**Errors**: `400 VALIDATION_FAILED` (a field missing or too long); `401 INVALID_CREDENTIALS` (wrong ' +
        'username or password, or a deactivated account); `429 TOO_MANY_LOGIN_ATTEMPTS` with `retryAfterSeconds`.',
    ].join('\n'),
  })
  @ApiBody({
    type: LoginDto,
    examples: {
      trainee: {
        summary: 'A trainee (username: phone number)',
        value: { username: '13937000001', password: 'Trainee@2026' }, // example: the demo trainee's (README)
      },
      admin: { summary: 'The demo county admin', value: { username: 'admin', password: 'Admin@2026' } }, // example
    },
  })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiErrors(400, 401, 429)
  async login(@CurrentUser() user: AuthUser): Promise<LoginResponseDto> {
    // passport-local puts the full User entity on the request.
    const entity = user as unknown as User;
    return { ...(await this.auth.issueToken(entity)), user: UserDto.from(entity) };
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Who you are',
    description:
      'Any signed-in user: your account as it is now (role, unit, contact details, active). ' +
      '**Errors**: `401 UNAUTHORIZED` (no or expired token), `401 TOKEN_REVOKED` (the account was deactivated, ' +
      'its role changed or its password reset since the token was issued).',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(401)
  me(@CurrentUser() actor: AuthUser): UserDto {
    // The guard has just loaded the caller's current row: no second query.
    return UserDto.from(actor);
  }
}
