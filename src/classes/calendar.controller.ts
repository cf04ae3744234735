import { Controller, Delete, Get, Header, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiProduces, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Public } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/openapi/api-docs.decorators';
import { Env, publicBaseUrl } from '../config/env';
import { CalendarService } from './calendar.service';

export class CalendarFeedDto {
  @ApiProperty({ description: 'Secret address to subscribe to in a calendar app; anyone with it can read the feed' })
  url!: string;
}

const ICS = 'text/calendar; charset=utf-8';
/** The feed addresses' path; the secret after it is masked in logs (see logging.ts). */
export const CALENDAR_FEED_PATH = '/api/calendar/feeds/';

@ApiTags('calendar')
@Controller('api')
export class CalendarController {
  constructor(
    private readonly calendar: CalendarService,
    private readonly env: Env,
  ) {}

  @Get('me/calendar.ics')
  @ApiBearerAuth()
  @Header('content-type', ICS)
  @Header('cache-control', 'private, no-cache')
  @ApiProduces('text/calendar')
  @ApiOkResponse({ description: 'Your sessions as iCalendar', schema: { type: 'string' } })
  @ApiErrors(401)
  async mine(@CurrentUser() user: AuthUser): Promise<string> {
    return this.calendar.render(user);
  }

  @Put('me/calendar-feed')
  @ApiBearerAuth()
  @ApiOkResponse({ type: CalendarFeedDto, description: 'A new secret feed address; the previous one stops working' })
  @ApiErrors(401)
  async issueFeed(@CurrentUser() user: AuthUser): Promise<CalendarFeedDto> {
    const token = await this.calendar.issueFeedToken(user);
    // PUBLIC_BASE_URL, never the Host header: a forged Host would hand out an address on someone else's server.
    return { url: `${publicBaseUrl(this.env)}${CALENDAR_FEED_PATH}${token}` };
  }

  @Delete('me/calendar-feed')
  @ApiBearerAuth()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The feed address stops working' })
  @ApiErrors(401)
  async revokeFeed(@CurrentUser() user: AuthUser): Promise<void> {
    await this.calendar.revokeFeedToken(user);
  }

  /** For calendar apps, which cannot send a bearer token: the secret in the address is the key. */
  @Public()
  @Get('calendar/feeds/:token')
  @Header('content-type', ICS)
  @Header('cache-control', 'private, no-cache')
  @ApiProduces('text/calendar')
  @ApiOkResponse({ description: 'The feed owner’s sessions as iCalendar', schema: { type: 'string' } })
  @ApiErrors(404)
  async feed(@Param('token') token: string): Promise<string> {
    return this.calendar.render(await this.calendar.userForFeedToken(token.replace(/\.ics$/, '')));
  }
}
