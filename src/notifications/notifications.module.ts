import { Module } from '@nestjs/common';
import { AdminNotificationsController } from './admin-notifications.controller';
import { EmailChannel } from './channels/email.channel';
import { SmsChannel } from './channels/sms.channel';
import { DeliveryService } from './delivery.service';
import { DirectSmsService } from './direct-sms.service';
import { InboxController } from './inbox.controller';
import { InboxService } from './inbox.service';
import { MessageTemplates } from './message-templates';
import { NotificationsService } from './notifications.service';

/**
 * Messages: writing them (NotificationsService, for other modules), the inbox and
 * preferences, the admin view of failures, and delivery over e-mail and SMS (worker only:
 * DeliveryProcessor is listed in worker.module.ts).
 */
@Module({
  controllers: [InboxController, AdminNotificationsController],
  providers: [
    NotificationsService,
    MessageTemplates,
    InboxService,
    DeliveryService,
    EmailChannel,
    SmsChannel,
    DirectSmsService,
  ],
  exports: [NotificationsService, MessageTemplates, DeliveryService, InboxService, DirectSmsService],
})
export class NotificationsModule {}
