import { ApiProperty } from '@nestjs/swagger';
import { DELIVERY_STATUSES, type DeliveryStatus } from './delivery.entity';

export class DeliveryFailureDto {
  @ApiProperty() email!: string;
  @ApiProperty({ description: 'the last attempt’s error' }) error!: string;
}

export class DeliverySummaryDto {
  @ApiProperty() total!: number;
  @ApiProperty() sent!: number;
  @ApiProperty({ description: 'failed for good after MAIL_MAX_ATTEMPTS attempts' }) failed!: number;
  @ApiProperty({ description: 'not yet sent (possibly waiting for a retry)' }) pending!: number;
  @ApiProperty({ description: 'dropped: the user lost access to every report, or was deactivated, before sending' }) skipped!: number;
  @ApiProperty({ type: [DeliveryFailureDto] }) failures!: DeliveryFailureDto[];
}

export class DeliveryAttemptDto {
  @ApiProperty({ description: '1, 2, …' }) attempt!: number;
  @ApiProperty({ format: 'date-time' }) started_at!: string;
  @ApiProperty({ format: 'date-time' }) finished_at!: string;
  @ApiProperty() ok!: boolean;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'the SMTP server’s reply, or the .eml file written' }) destination!: string | null;
}

export class DeliveryDto {
  @ApiProperty() delivery_id!: number;
  @ApiProperty() user_id!: number;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: DeliveryStatus;
  @ApiProperty({ description: 'attempts made so far' }) attempts!: number;
  @ApiProperty({ nullable: true, type: String }) last_error!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'when the next attempt is due (pending only)' }) next_attempt_at!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) sent_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) message_id!: string | null;
  @ApiProperty({ type: [Number], description: 'the reports (PDFs) of this recipient’s scope' }) report_ids!: number[];
  @ApiProperty({ type: [DeliveryAttemptDto] }) history!: DeliveryAttemptDto[];
}

export class RunDeliveriesDto {
  @ApiProperty() run_id!: number;
  @ApiProperty({ type: DeliverySummaryDto }) summary!: DeliverySummaryDto;
  @ApiProperty({ type: [DeliveryDto], description: 'one per recipient, by e-mail' }) deliveries!: DeliveryDto[];
}
