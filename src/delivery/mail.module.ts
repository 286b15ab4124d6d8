import { Module } from '@nestjs/common';
import { MailerService } from './mailer.service';

/** Outgoing mail: SMTP (SMTP_URL) or .eml files in OUTBOX_DIR. */
@Module({
  providers: [MailerService],
  exports: [MailerService],
})
export class MailModule {}
