import { Module } from '@nestjs/common';
import { systemClock } from '../common/clock';
import { CLOCK } from '../periods/periods.service';
import { DeliveriesController } from './deliveries.controller';
import { DeliveryRepository } from './delivery.repository';
import { DeliveryService } from './delivery.service';
import { MailModule } from './mail.module';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsRepository } from './subscriptions.repository';
import { SubscriptionsService } from './subscriptions.service';

/**
 * Subscriptions (user → org | team with descendants | self) and the e-mail delivery of a run's
 * PDF scorecards: one mail per subscriber with exactly the PDFs of their scope, retried with
 * backoff, sent once per (run, user) across instances.
 */
@Module({
  imports: [MailModule],
  controllers: [SubscriptionsController, DeliveriesController],
  providers: [{ provide: CLOCK, useValue: systemClock }, SubscriptionsRepository, SubscriptionsService, DeliveryRepository, DeliveryService],
  exports: [DeliveryService, SubscriptionsService],
})
export class DeliveryModule {}
