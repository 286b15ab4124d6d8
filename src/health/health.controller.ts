import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Pool } from 'pg';
import { Public } from '../auth/public.decorator';
import { PG_POOL } from '../database/database.module';

class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status!: 'ok' | 'degraded';
  @ApiProperty({ enum: ['up', 'down'] }) database!: 'up' | 'down';
  @ApiProperty({ description: 'round trip of `select 1`, milliseconds', nullable: true, type: Number }) database_latency_ms!: number | null;
  @ApiProperty({ description: 'applied migrations', type: Number, nullable: true }) migrations!: number | null;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Liveness and database readiness: 200 when PostgreSQL answers, 503 otherwise. */
  @Public()
  @Get()
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto })
  async health(@Res({ passthrough: true }) res: Response): Promise<HealthDto> {
    const started = process.hrtime.bigint();
    try {
      const r = await this.pool.query<{ n: string }>('select count(*) as n from mikro_orm_migrations');
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      return { status: 'ok', database: 'up', database_latency_ms: Math.round(ms * 100) / 100, migrations: Number(r.rows[0].n) };
    } catch {
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'degraded', database: 'down', database_latency_ms: null, migrations: null };
    }
  }
}
