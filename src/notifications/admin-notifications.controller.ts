import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth/auth-user';
import { CurrentUser, Roles } from '../common/auth/auth.decorators';
import { Idempotent } from '../common/idempotency/idempotent.decorator';
import { ApiErrors, ApiPageResponse } from '../common/openapi/api-docs.decorators';
import type { Page } from '../common/pagination/page.dto';
import { ParseIdPipe } from '../common/validation/uuid.pipe';
import { AdminNotificationDto, FailedQueryDto } from './dto/notification.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('admin')
@ApiBearerAuth()
@ApiErrors(400, 401, 403)
@Roles('admin')
@Controller('api/admin/notifications')
export class AdminNotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({
    summary: 'Messages by delivery status (failed ones by default)',
    description:
      'Admins only, for people in their part of the tree. A message that still fails after every retry is ' +
      '`failed` with `lastError` (never dropped); `status=pending` shows what is waiting (quiet hours, retries).',
  })
  @ApiPageResponse(AdminNotificationDto)
  list(@CurrentUser() actor: AuthUser, @Query() query: FailedQueryDto): Promise<Page<AdminNotificationDto>> {
    return this.notifications.listForAdmin(actor, query);
  }

  @Idempotent()
  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a failed message again',
    description:
      'It goes back to `pending` with its tries started over, and is delivered by the worker (after quiet hours). ' +
      '**Errors**: `404 NOTIFICATION_NOT_FOUND` (none, or outside your part of the tree); `409 NOTIFICATION_NOT_FAILED`.',
  })
  @ApiOkResponse({ type: AdminNotificationDto })
  @ApiErrors(404, 409)
  retry(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: string): Promise<AdminNotificationDto> {
    return this.notifications.retry(actor, id);
  }
}
