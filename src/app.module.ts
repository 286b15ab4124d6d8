import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AuditsModule } from './audits/audits.module';
import { AuthModule } from './auth/auth.module';
import { ProblemDetailsFilter } from './common/problem-details.filter';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthController } from './health/health.controller';
import { DemoModule } from './demo/demo.module';
import { ImportsModule } from './imports/imports.module';
import { KpisModule } from './kpis/kpis.module';
import { PredictiveModule } from './predictive/predictive.module';
import { FeedbackModule } from './feedback/feedback.module';
import { RetentionModule } from './retention/retention.module';
import { DeliveryModule } from './delivery/delivery.module';
import { ScheduleModule } from '@nestjs/schedule';
import { JobsModule } from './jobs/jobs.module';
import { ReportsModule } from './reports/reports.module';
import { ReportsRenderingModule } from './reports/reports-rendering.module';
import { RunsModule } from './runs/runs.module';

export interface AppModuleOptions {
  config: AppConfig;
  databaseUrl: string;
}

@Module({})
export class AppModule {
  static forRoot({ config, databaseUrl }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            genReqId: (req: IncomingMessage) => {
              const given = req.headers['x-request-id'];
              return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
            },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
          },
        }),
        DatabaseModule.forRoot(databaseUrl),
        ScheduleModule.forRoot(),
        JobsModule,
        AuthModule,
        ImportsModule,
        DemoModule,
        KpisModule,
        PredictiveModule,
        FeedbackModule,
        AuditsModule,
        RetentionModule,
        DeliveryModule,
        ReportsModule,
        ReportsRenderingModule,
        RunsModule,
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    };
  }
}
