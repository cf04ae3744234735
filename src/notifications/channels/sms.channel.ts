import { createHmac } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { maskDigits } from '../../common/logging/logging';
import { Env } from '../../config/env';
import type { Channel, Outgoing } from './channel';

/** A way to hand an SMS to a carrier. */
export interface SmsProvider {
  send(sms: { id: string; phone: string; text: string }): Promise<void>;
}

/**
 * Writes the SMS to the log instead of sending it (the default: nothing leaves, nothing
 * costs). The text itself (names, classes) is logged only outside production.
 */
export class LogSmsProvider implements SmsProvider {
  private readonly logger = new Logger('Sms');

  constructor(private readonly withText: boolean) {}

  async send({ id, phone, text }: { id: string; phone: string; text: string }): Promise<void> {
    const what = `SMS ${id} to ${maskDigits(phone)} (${text.length} characters, not sent: SMS_PROVIDER=log)`;
    this.logger.log(this.withText ? `${what}: ${text}` : what);
  }
}

/**
 * A generic HTTP gateway: one JSON POST per message, `{id, phone, text}`. The gateway checks
 * `X-Signature: sha256=<hex HMAC-SHA256 of "<X-Timestamp>.<body>" with SMS_HTTP_SECRET>`
 * and may refuse old timestamps; `Idempotency-Key` (the message id) lets it drop a repeat.
 * Any answer other than 2xx is a failure (retried).
 */
export class HttpSmsProvider implements SmsProvider {
  constructor(
    private readonly url: string,
    private readonly secret: string,
  ) {}

  async send(sms: { id: string; phone: string; text: string }): Promise<void> {
    const body = JSON.stringify(sms);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', this.secret).update(`${timestamp}.${body}`).digest('hex');
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-timestamp': timestamp,
        'x-signature': `sha256=${signature}`,
        'idempotency-key': sms.id,
      },
      body,
      signal: AbortSignal.timeout(15_000),
    });
    if (!response.ok) {
      const detail = (await response.text().catch(() => '')).slice(0, 200);
      throw new Error(`SMS gateway answered ${response.status}${detail ? `: ${detail}` : ''}`);
    }
  }
}

/** The SMS channel over the configured provider (SMS_PROVIDER). */
@Injectable()
export class SmsChannel implements Channel {
  readonly provider: SmsProvider;

  constructor(env: Env) {
    this.provider =
      env.SMS_PROVIDER === 'http'
        ? new HttpSmsProvider(env.SMS_HTTP_URL!, env.SMS_HTTP_SECRET!)
        : new LogSmsProvider(env.NODE_ENV !== 'production');
  }

  send({ id, to, message }: Outgoing): Promise<void> {
    return this.provider.send({ id, phone: to, text: message.sms });
  }
}
