import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import SMTPPool from 'nodemailer/lib/smtp-pool';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

export interface MailAttachment {
  filename: string;
  path?: string;
  content?: Buffer;
  contentType?: string;
}

export interface OutgoingMail {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
  /** Extra headers, e.g. `X-Yardstick-Run`. */
  headers?: Record<string, string>;
  /** `<id@domain>`; generated when absent. The same id on a retry lets receivers drop a repeat. */
  messageId?: string;
}

export interface SentMail {
  messageId: string;
  /** Where the message went: the SMTP server's reply, or the .eml file written. */
  destination: string;
}

/**
 * Sends mail through SMTP (SMTP_URL) with nodemailer; without SMTP_URL every message is
 * written as an .eml file (RFC 5322, attachments included) into OUTBOX_DIR, so a machine
 * without a mail server still shows exactly what would have been sent.
 */
@Injectable()
export class MailerService implements OnModuleDestroy {
  /** SMTP connections open at once (DeliveryService sends that many mails in parallel). */
  static readonly MAX_CONNECTIONS = 3;
  private readonly logger = new Logger(MailerService.name);
  private readonly transport: Transporter;
  private readonly outbox: string | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    if (config.smtpUrl) {
      // a pool of SMTP connections for the process: a run sends one mail per subscriber, often
      // several at once (DeliveryService), and a connection is reused for up to 100 messages
      this.transport = nodemailer.createTransport(
        new SMTPPool({
          url: config.smtpUrl,
          pool: true,
          maxConnections: MailerService.MAX_CONNECTIONS,
          connectionTimeout: 30_000,
          greetingTimeout: 30_000,
          socketTimeout: 120_000,
        }),
      );
      this.outbox = null;
    } else {
      this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
      this.outbox = path.resolve(config.outboxDir);
    }
  }

  /** Where mails go, for logs and the CLI: `smtp://host:port` or the outbox folder. */
  describe(): string {
    if (!this.config.smtpUrl) return `outbox ${this.outbox}`;
    const u = new URL(this.config.smtpUrl);
    return `${u.protocol}//${u.host}`;
  }

  /** Throws on failure (connection refused, rejected recipient…); callers record and retry. */
  async send(mail: OutgoingMail): Promise<SentMail> {
    const info = (await this.transport.sendMail({
      from: this.config.mailFrom,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      headers: mail.headers,
      messageId: mail.messageId,
      attachments: mail.attachments?.map((a) => ({ filename: a.filename, path: a.path, content: a.content, contentType: a.contentType })),
    })) as { messageId: string; response?: string; message?: Buffer };
    if (this.outbox === null) {
      return { messageId: info.messageId, destination: String(info.response ?? 'smtp') };
    }
    await mkdir(this.outbox, { recursive: true });
    const id = info.messageId.replace(/[<>]/g, '').replace(/[^\w.@-]/g, '_');
    const file = path.join(this.outbox, `${id}.eml`);
    const tmp = `${file}.tmp`;
    await writeFile(tmp, info.message ?? Buffer.alloc(0));
    await rename(tmp, file);
    this.logger.debug(`wrote ${file}`);
    return { messageId: info.messageId, destination: file };
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}
