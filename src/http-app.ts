import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { createValidationPipe } from './common/validation.pipe';
import type { AppConfig } from './config/app-config';

export function buildOpenApi(app: NestExpressApplication): OpenAPIObject {
  const doc = new DocumentBuilder()
    .setTitle('Yardstick')
    .setDescription(
      'Service-performance evaluation: CRM data intake, KPIs, balanced scorecards, evaluations and reports. ' +
        'Errors are RFC 9457 problem details (application/problem+json).',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return SwaggerModule.createDocument(app, doc);
}

/** The HTTP application, configured exactly as production runs it (tests use this too). */
export async function createHttpApp(config: AppConfig, databaseUrl: string, opts: { logs?: boolean | 'warn' } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, databaseUrl }), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
    ...(opts.logs === false ? { logger: false as const } : opts.logs === 'warn' ? { logger: ['error', 'warn'] as ('error' | 'warn')[] } : {}),
  });
  if (opts.logs === 'warn') app.useLogger(['error', 'warn']);
  else if (opts.logs !== false) app.useLogger(app.get(Logger));
  else app.useLogger(false);
  app.useBodyParser('json', { limit: config.jsonBodyLimitBytes });
  app.useGlobalPipes(createValidationPipe());
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const document = buildOpenApi(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
