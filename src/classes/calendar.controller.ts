import { Controller, Delete, Get, Header, HttpCode, Param, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Public } from '../common/auth/auth.decorators';
import { ApiErrors, ApiFileResponse } from '../common/openapi/api-docs.decorators';
import { Env, publicBaseUrl } from '../config/env';
import { CalendarService } from './calendar.service';

export class CalendarFeedDto {
  @ApiProperty({
    description: 'Secret address to subscribe to in a calendar app; anyone with it can read the feed',
    example: 'https://lms.example.org/api/calendar/feeds/Qm9vazEyMzQ1Njc4OTBhYmNkZWZnaGlqa2xtbm9w',
  })
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
  @ApiOperation({
    summary: 'Your timetable as iCalendar',
    description: [
      'Any signed-in user. A trainer: the sessions it teaches; a trainee: the sessions of the classes it holds a ' +
        'seat in; an admin: every session in its part of the tree. Sessions of draft classes only for admins.',
      '',
      '- Sessions from 180 days ago onwards. Each keeps its `UID`; `SEQUENCE` rises when it moves; cancelled ' +
        'sessions (and sessions of cancelled classes) are `STATUS:CANCELLED`.',
      '- Times are in UTC, which every calendar app shows in its own zone.',
      '',
      'Calendar apps cannot send a token: subscribe to the address from `PUT /api/me/calendar-feed` instead.',
      '',
      '**Errors**: `422 CALENDAR_RENDER_FAILED` (a session the iCalendar writer refused).',
    ].join('\n'),
  })
  @ApiFileResponse('text/calendar', 'Your sessions as iCalendar', true)
  @ApiErrors(401, 422)
  async mine(@CurrentUser() user: AuthUser): Promise<string> {
    return this.calendar.render(user);
  }

  @Put('me/calendar-feed')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Get a secret calendar feed address',
    description:
      'Any signed-in user: a new secret address serving your timetable (as `GET /api/me/calendar.ics`) without ' +
      'a token, for calendar apps to subscribe to. Calling it again replaces the address (the old one stops ' +
      'working). The address also stops working when the account is deactivated, its role changes or its ' +
      'password is reset.',
  })
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
  @ApiOperation({
    summary: 'Revoke your calendar feed address',
    description:
      'Any signed-in user: your feed address stops working at once. Revoking with none issued changes nothing.',
  })
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
  @ApiOperation({
    summary: 'A calendar feed (the address is the key)',
    description:
      '**Public**: the secret in the address stands in for a token (a trailing `.ics` is allowed). Answers the ' +
      "feed owner's timetable as `GET /api/me/calendar.ics` does. **Errors**: `404 CALENDAR_FEED_NOT_FOUND` " +
      '(unknown or revoked address, or a deactivated account); `422 CALENDAR_RENDER_FAILED`.',
  })
  @ApiFileResponse('text/calendar', 'The feed owner’s sessions as iCalendar', true)
  @ApiErrors(404, 422)
  async feed(@Param('token') token: string): Promise<string> {
    return this.calendar.render(await this.calendar.userForFeedToken(token.replace(/\.ics$/, '')));
  }
}
