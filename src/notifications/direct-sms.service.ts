import { Injectable } from '@nestjs/common';
import { Env } from '../config/env';
import { SmsChannel } from './channels/sms.channel';

/**
 * An SMS sent at once, through the SMS channel's provider, for messages that cannot wait in the
 * queue nor for quiet hours and are no inbox message: a password reset code. Only with a real
 * gateway (SMS_PROVIDER=http): a code written to the log would reach nobody.
 */
@Injectable()
export class DirectSmsService {
  readonly available: boolean;

  constructor(
    private readonly channel: SmsChannel,
    env: Env,
  ) {
    this.available = env.SMS_PROVIDER === 'http';
  }

  /** Sends `text` to `phone`; `id` lets the gateway drop a repeat. Rejects when the gateway does not take it. */
  send(sms: { id: string; phone: string; text: string }): Promise<void> {
    if (!this.available) return Promise.reject(new Error('No SMS gateway configured (SMS_PROVIDER is not http)'));
    return this.channel.provider.send(sms);
  }
}
