import { Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import busboy from 'busboy';
import type { Request } from 'express';
import { PassThrough, type Readable } from 'node:stream';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { ProblemException } from '../common/problem-details';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ImportTooLargeError, ImportValidationError, type ImportSummary } from './csv-importer';
import { IMPORT_ORDER, type ImportEntity } from './import-entities';
import { ImportProblemDto, ImportSummaryDto } from './import-summary.dto';
import { ImportsService } from './imports.service';

@ApiTags('imports')
@ApiBearerAuth()
@Controller('api/v1/imports')
export class ImportsController {
  constructor(
    private readonly imports: ImportsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Import one CSV file of the data contract: all-or-nothing, upsert by id.
   * Body: `text/csv`, or `multipart/form-data` with the file in field `file`. Streamed, never buffered whole.
   */
  @Post(':entity')
  @HttpCode(200)
  @Roles('admin', 'hr')
  @ApiParam({ name: 'entity', enum: IMPORT_ORDER })
  @ApiConsumes('text/csv', 'multipart/form-data')
  @ApiBody({
    schema: {
      oneOf: [
        { type: 'string', description: 'the CSV file (text/csv)' },
        { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] },
      ],
    },
  })
  @ApiOkResponse({ type: ImportSummaryDto })
  @ApiUnprocessableEntityResponse({ type: ImportProblemDto, description: 'invalid rows; nothing was written' })
  @ApiPayloadTooLargeResponse({ description: 'the file is larger than IMPORT_MAX_BYTES' })
  async import(@Param('entity') entityParam: string, @Req() req: Request, @CurrentUser() user: Principal): Promise<ImportSummaryDto> {
    if (!(IMPORT_ORDER as readonly string[]).includes(entityParam)) {
      throw new ProblemException(404, 'Not Found', `unknown import entity ${JSON.stringify(entityParam)}; one of ${IMPORT_ORDER.join(', ')}`);
    }
    const entity = entityParam as ImportEntity;
    const length = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(length) && length > this.config.importMaxBytes + 64 * 1024) {
      req.resume();
      throw tooLarge(this.config.importMaxBytes);
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const meta = { importedBy: user.email };
    try {
      if (type === 'multipart/form-data') return await this.fromMultipart(entity, req, meta);
      if (type === 'text/csv' || type === 'application/csv' || type === 'text/plain') {
        return await this.imports.importStream(entity, req, { ...meta, source: `api:${entity}.csv` });
      }
    } catch (err) {
      throw toProblem(err);
    }
    req.resume();
    throw new ProblemException(415, 'Unsupported Media Type', 'send the CSV as text/csv, or as multipart/form-data field "file"');
  }

  private fromMultipart(entity: ImportEntity, req: Request, meta: { importedBy: string }): Promise<ImportSummary> {
    return new Promise<ImportSummary>((resolve, reject) => {
      let started = false;
      let bb: busboy.Busboy;
      try {
        bb = busboy({ headers: req.headers, limits: { files: 1, fileSize: this.config.importMaxBytes + 1 } });
      } catch (e) {
        reject(new ProblemException(400, 'Bad Request', `malformed multipart body: ${(e as Error).message}`));
        return;
      }
      bb.on('file', (field: string, file: Readable, info: { filename: string }) => {
        if (field !== 'file' || started) {
          file.resume();
          return;
        }
        started = true;
        const pass = new PassThrough();
        file.pipe(pass);
        this.imports
          .importStream(entity, pass, { ...meta, source: `api:${info.filename || `${entity}.csv`}` })
          .then(resolve, reject)
          .finally(() => req.unpipe(bb));
      });
      bb.on('error', (e: Error) => reject(new ProblemException(400, 'Bad Request', `malformed multipart body: ${e.message}`)));
      bb.on('close', () => {
        if (!started) reject(new ProblemException(422, 'Unprocessable Content', 'the multipart body has no field "file"', { errors: [{ field: 'file', reason: 'required' }] }));
      });
      req.pipe(bb);
    });
  }
}

function tooLarge(limit: number): ProblemException {
  return new ProblemException(413, 'Content Too Large', `the file is larger than the import limit of ${limit} bytes (IMPORT_MAX_BYTES)`);
}

function toProblem(err: unknown): unknown {
  if (err instanceof ImportValidationError) {
    return new ProblemException(422, 'Unprocessable Content', `${err.totalErrors} invalid value(s) in ${err.entity}; nothing was imported`, {
      type: 'https://yardstick.dev/problems/import-validation',
      total_errors: err.totalErrors,
      errors: err.errors,
    });
  }
  if (err instanceof ImportTooLargeError) return tooLarge(err.limitBytes);
  return err;
}
