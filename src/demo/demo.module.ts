import { Module } from '@nestjs/common';
import { ImportsModule } from '../imports/imports.module';
import { KpisModule } from '../kpis/kpis.module';
import { DemoService } from './demo.service';

@Module({ imports: [ImportsModule, KpisModule], providers: [DemoService], exports: [DemoService] })
export class DemoModule {}
