import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page.dto';
import { MESSAGE_TEMPLATES } from '../message-templates';
import { NOTIFICATION_CHANNELS, NOTIFICATION_STATUSES } from '../notification.entity';

export class InboxQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: unread messages only' })
  @IsOptional()
  @IsIn(['true', 'false'])
  unread?: 'true' | 'false';
}

export class InboxMessageDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: MESSAGE_TEMPLATES, description: 'What kind of message' }) template!: string;
  @ApiProperty({ example: '上课提醒：计算机基础 12月3日周四 09:00' }) title!: string;
  @ApiProperty({ description: 'The text, in the language asked for with Accept-Language (Chinese by default)' })
  body!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The session, class or visit it is about' })
  aboutId!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The data the text was written from (ids, times, names)',
  })
  payload!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) readAt!: Date | null;
}

export class InboxPageDto {
  @ApiProperty({ type: [InboxMessageDto] }) items!: InboxMessageDto[];
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: 'integer' }) page!: number;
  @ApiProperty({ type: 'integer' }) pageSize!: number;
  @ApiProperty({ type: 'integer', description: 'Unread messages in the whole inbox' }) unread!: number;
}

export class ReadAllDto {
  @ApiProperty({ type: 'integer', description: 'Messages marked read now' }) updated!: number;
}

export class NotificationPreferencesDto {
  @ApiProperty({ description: 'Receive e-mail (when an address is on file and e-mail is set up)' })
  @IsBoolean()
  email!: boolean;

  @ApiProperty({ description: 'Receive SMS (when a phone number is on file)' })
  @IsBoolean()
  sms!: boolean;
}

export class NotificationPreferencesViewDto extends NotificationPreferencesDto {
  @ApiProperty({ description: 'An e-mail address is on file (e-mail can reach this person)' }) hasEmail!: boolean;
  @ApiProperty({ description: 'A phone number is on file (SMS can reach this person)' }) hasPhone!: boolean;
  @ApiProperty({ description: 'The inbox always receives every message' }) inbox!: true;
}

export class FailedQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: NOTIFICATION_STATUSES, default: 'failed' })
  @IsOptional()
  @IsIn(NOTIFICATION_STATUSES)
  status: (typeof NOTIFICATION_STATUSES)[number] = 'failed';

  @ApiPropertyOptional({ enum: NOTIFICATION_CHANNELS })
  @IsOptional()
  @IsIn(NOTIFICATION_CHANNELS)
  channel?: (typeof NOTIFICATION_CHANNELS)[number];
}

export class AdminNotificationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: NOTIFICATION_CHANNELS }) channel!: string;
  @ApiProperty({ enum: MESSAGE_TEMPLATES }) template!: string;
  @ApiProperty({ enum: NOTIFICATION_STATUSES }) status!: string;
  @ApiProperty({ type: 'integer', description: 'Delivery tries so far' }) attempts!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Why the last try failed' }) lastError!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) failedAt!: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sentAt!: Date | null;
}

/** `unread=true` as a boolean; keeps the query DTO's string form for validation. */
export const isTrue = (value?: string): boolean => value === 'true';
