import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
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
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiErrors(400, 401, 429)
  async login(@CurrentUser() user: AuthUser): Promise<LoginResponseDto> {
    // passport-local puts the full User entity on the request.
    const entity = user as unknown as User;
    return { ...(await this.auth.issueToken(entity)), user: UserDto.from(entity) };
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(401)
  me(@CurrentUser() actor: AuthUser): UserDto {
    // The guard has just loaded the caller's current row: no second query.
    return UserDto.from(actor);
  }
}
