import { Module } from '@nestjs/common';
import { ImportsModule } from '../imports/imports.module';
import { KpisModule } from '../kpis/kpis.module';
import { DemoService } from './demo.service';
import { DeliveryModule } from '../delivery/delivery.module';

@Module({ imports: [ImportsModule, KpisModule, DeliveryModule], providers: [DemoService], exports: [DemoService] })
export class DemoModule {}
