import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { Env } from '../../config/env';
import { deliveryConcurrency } from '../delivery-concurrency';
import type { Channel, Outgoing } from './channel';

/** E-mail over SMTP (SMTP_URL), plain text in UTF-8, one connection pool per worker. */
@Injectable()
export class EmailChannel implements Channel, OnModuleDestroy {
  private transport?: Transporter;

  constructor(private readonly env: Env) {}

  async send({ id, to, message }: Outgoing): Promise<void> {
    if (!this.env.SMTP_URL) throw new Error('E-mail is not configured (SMTP_URL)');
    this.transport ??= nodemailer.createTransport({
      url: this.env.SMTP_URL,
      pool: true,
      // As many SMTP connections as deliveries run at once: none waits for a connection while holding its row.
      maxConnections: deliveryConcurrency(this.env),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    await this.transport.sendMail({
      from: this.env.SMTP_FROM,
      to,
      subject: message.subject,
      text: message.body,
      // The same id on a repeat lets mail systems recognise it.
      messageId: `<${id}@training-lms>`,
    });
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
