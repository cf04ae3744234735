import type { IncomingHttpHeaders } from 'node:http';
import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser } from '../common/auth/auth.decorators';
import { languageOf } from '../common/i18n/translator';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors } from '../common/openapi/api-docs.decorators';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import {
  InboxMessageDto,
  InboxPageDto,
  InboxQueryDto,
  NotificationPreferencesDto,
  NotificationPreferencesViewDto,
  ReadAllDto,
} from './dto/notification.dto';
import { InboxService } from './inbox.service';

@ApiTags('notifications')
@ApiBearerAuth()
@ApiErrors(400, 401)
@Controller('api/me')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  @Get('notifications')
  @ApiOperation({
    summary: 'My messages',
    description:
      'Every message sent to me (reminders, changes, notices), unread first, then newest first. `unread=true` ' +
      'lists unread ones only; `unread` in the answer counts all unread messages. Titles and texts are written ' +
      "in the language of `Accept-Language` (Chinese by default), times in the centre's time zone.",
  })
  @ApiOkResponse({ type: InboxPageDto })
  list(
    @CurrentUser() actor: AuthUser,
    @Query() query: InboxQueryDto,
    @Headers() headers: IncomingHttpHeaders,
  ): Promise<InboxPageDto> {
    return this.inbox.list(
      actor,
      { page: query.page, pageSize: query.pageSize, unreadOnly: query.unread === 'true' },
      languageOf(headers),
    );
  }

  @Idempotent()
  @Post('notifications/read-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark all my messages read', description: 'Answers how many were unread.' })
  @ApiOkResponse({ type: ReadAllDto })
  async readAll(@CurrentUser() actor: AuthUser): Promise<ReadAllDto> {
    return { updated: await this.inbox.markAllRead(actor) };
  }

  @Idempotent()
  @Post('notifications/:id/read')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mark one message read',
    description:
      'Marking it again changes nothing. **Errors**: `404 NOTIFICATION_NOT_FOUND` (not mine, or no such message).',
  })
  @ApiOkResponse({ type: InboxMessageDto })
  @ApiErrors(404)
  read(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: string,
    @Headers() headers: IncomingHttpHeaders,
  ): Promise<InboxMessageDto> {
    return this.inbox.markRead(actor, id, languageOf(headers));
  }

  @Get('notification-preferences')
  @ApiOperation({
    summary: 'Which channels I receive messages on',
    description:
      'Every message goes to the inbox; e-mail and SMS too unless turned off here, and only when an address ' +
      'or phone number is on file (`hasEmail`, `hasPhone`).',
  })
  @ApiOkResponse({ type: NotificationPreferencesViewDto })
  preferences(@CurrentUser() actor: AuthUser): Promise<NotificationPreferencesViewDto> {
    return this.inbox.preferences(actor);
  }

  @Put('notification-preferences')
  @ApiOperation({ summary: 'Choose whether to receive e-mail and SMS', description: 'The inbox cannot be turned off.' })
  @ApiOkResponse({ type: NotificationPreferencesViewDto })
  setPreferences(
    @CurrentUser() actor: AuthUser,
    @Body() dto: NotificationPreferencesDto,
  ): Promise<NotificationPreferencesViewDto> {
    return this.inbox.setPreferences(actor, dto);
  }
}
