import { z } from 'zod';

/**
 * Every setting Yardstick reads, validated once at boot.
 * Names are the environment variables of README's configuration table.
 */
export interface AppConfig {
  /** postgres://… ; null means "start the embedded PostgreSQL server". */
  databaseUrl: string | null;
  /** Folder for the embedded server's data and other local state (git-ignored). */
  dataDir: string;
  embeddedPgPort: number;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  orgTimezone: string;
  inactivityDays: number;
  defaultMarginRate: number;
  lowSampleMin: number;
  slaFirstResponseMinutes: number;
  slaResolutionHours: number;
  riskPAlive: number;
  clvHorizonMonths: number;
  discountRate: number;
  feedbackMinRaters: number;
  winbackWindowDays: number;
  notWorthComplaints: number;
  /** null: a random secret is created once and kept in dataDir (development only). */
  jwtSecret: string | null;
  jwtExpiresInSeconds: number;
  /** Largest CSV accepted by an import (bytes). */
  importMaxBytes: number;
  /** Largest JSON request body (bytes). */
  jsonBodyLimitBytes: number;
  reportsDir: string;
  /** smtp://user:pass@host:port (or smtps://); null: mails are written as .eml files to outboxDir. */
  smtpUrl: string | null;
  mailFrom: string;
  outboxDir: string;
  /** Delivery attempts per recipient before the delivery is marked failed. */
  mailMaxAttempts: number;
  /** First retry delay (ms); doubled on every further attempt. */
  mailRetryBaseMs: number;
  /** Cron (in orgTimezone) of the monthly run; null when SCHEDULE_ENABLED=false on this instance. */
  monthlyRunCron: string | null;
  /** Cron (in orgTimezone) of the weekly early-warning refresh; null when the schedule is disabled. */
  weeklyRiskCron: string | null;
  /** Cron (in orgTimezone) of the daily win-back confirmation pass; null when the schedule is disabled. */
  dailyConfirmCron: string | null;
  /** Render jobs this instance works on at once. */
  renderConcurrency: number;
  /** Value tiers by predictive-CLV rank (retention.md): shares of the active customers, in percent. */
  tierKeyPct: number;
  tierMajorPct: number;
  tierOrdinaryPct: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

function isIanaZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be ≥ ${min}`).max(max, `must be ≤ ${max}`));

const num = (min: number, max: number, exclusiveMin = false) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/, 'must be a number')
    .transform(Number)
    .pipe(
      exclusiveMin
        ? z.number().gt(min, `must be > ${min}`).max(max, `must be ≤ ${max}`)
        : z.number().min(min, `must be ≥ ${min}`).max(max, `must be ≤ ${max}`),
    );

const bytes = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'must be a size like 200mb')
  .transform((v) => {
    const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(v)!;
    const unit = (m[2] ?? 'b').toLowerCase();
    const mult = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[unit as 'b'];
    return Math.floor(Number(m[1]) * mult);
  })
  .pipe(z.number().int().positive());

/** Cron: five fields (minute hour day-of-month month day-of-week), or six with seconds first. */
const cron = z
  .string()
  .trim()
  .regex(/^(\S+\s+){4,5}\S+$/, 'must be a cron expression such as "0 6 1 * *" (five fields, or six with seconds first)');

const schema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  YARDSTICK_DATA_DIR: z.string().trim().min(1).default('.data'),
  EMBEDDED_PG_PORT: int(1024, 65535).default(54329),
  PORT: int(0, 65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ORG_TIMEZONE: z
    .string()
    .trim()
    .refine(isIanaZone, 'must be an IANA time zone name such as Asia/Shanghai')
    .default('UTC'),
  INACTIVITY_DAYS: int(0, 36500).default(180),
  DEFAULT_MARGIN_RATE: num(0, 1).default(0.3),
  LOW_SAMPLE_MIN: int(0).default(10),
  SLA_FIRST_RESPONSE_MINUTES: num(0, 1e9).default(60),
  SLA_RESOLUTION_HOURS: num(0, 1e9).default(24),
  RISK_P_ALIVE: num(0, 1).default(0.5),
  CLV_HORIZON_MONTHS: int(1, 600).default(12),
  DISCOUNT_RATE: num(0, 10).default(0.1),
  FEEDBACK_MIN_RATERS: int(1, 1000).default(3),
  WINBACK_WINDOW_DAYS: int(1, 3650).default(90),
  NOT_WORTH_COMPLAINTS: int(1, 1e6).default(6),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_EXPIRES_IN: int(60, 30 * 24 * 3600).default(8 * 3600),
  IMPORT_MAX_BYTES: bytes.default(1024 ** 3),
  JSON_BODY_LIMIT: bytes.default(1024 ** 2),
  REPORTS_DIR: z.string().trim().min(1).default('reports'),
  SMTP_URL: z
    .string()
    .trim()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().trim().min(3).default('Yardstick <yardstick@localhost>'),
  OUTBOX_DIR: z.string().trim().min(1).default('outbox'),
  MAIL_MAX_ATTEMPTS: int(1, 100).default(5),
  MAIL_RETRY_BASE_MS: int(0, 3_600_000).default(30_000),
  SCHEDULE_ENABLED: z.enum(['true', 'false']).default('true'),
  MONTHLY_RUN_CRON: cron.default('0 6 1 * *'),
  WEEKLY_RISK_CRON: cron.default('0 5 * * 1'),
  DAILY_CONFIRM_CRON: cron.default('30 5 * * *'),
  RENDER_CONCURRENCY: int(1, 64).default(2),
  TIER_KEY_PCT: num(0, 100).default(5),
  TIER_MAJOR_PCT: num(0, 100).default(15),
  TIER_ORDINARY_PCT: num(0, 100).default(30),
  NODE_ENV: z.string().optional(),
});

/** Zod's defaults are applied to strings, so give them as strings. */
function stringDefaults(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    out[key] = v === undefined || v.trim() === '' ? undefined : v;
  }
  return out;
}

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = schema.safeParse(stringDefaults(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '?');
      return `${name}=${JSON.stringify(env[name] ?? '')} ${i.message}`;
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET) {
    throw new ConfigError(['JWT_SECRET is required when NODE_ENV=production']);
  }
  if (e.TIER_KEY_PCT + e.TIER_MAJOR_PCT + e.TIER_ORDINARY_PCT > 100) {
    throw new ConfigError([
      `TIER_KEY_PCT + TIER_MAJOR_PCT + TIER_ORDINARY_PCT must be ≤ 100, got ${e.TIER_KEY_PCT + e.TIER_MAJOR_PCT + e.TIER_ORDINARY_PCT}`,
    ]);
  }
  const scheduled = e.SCHEDULE_ENABLED === 'true';
  return {
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir: e.YARDSTICK_DATA_DIR,
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    orgTimezone: e.ORG_TIMEZONE,
    inactivityDays: e.INACTIVITY_DAYS,
    defaultMarginRate: e.DEFAULT_MARGIN_RATE,
    lowSampleMin: e.LOW_SAMPLE_MIN,
    slaFirstResponseMinutes: e.SLA_FIRST_RESPONSE_MINUTES,
    slaResolutionHours: e.SLA_RESOLUTION_HOURS,
    riskPAlive: e.RISK_P_ALIVE,
    clvHorizonMonths: e.CLV_HORIZON_MONTHS,
    discountRate: e.DISCOUNT_RATE,
    feedbackMinRaters: e.FEEDBACK_MIN_RATERS,
    winbackWindowDays: e.WINBACK_WINDOW_DAYS,
    notWorthComplaints: e.NOT_WORTH_COMPLAINTS,
    jwtSecret: e.JWT_SECRET ?? null,
    jwtExpiresInSeconds: e.JWT_EXPIRES_IN,
    importMaxBytes: e.IMPORT_MAX_BYTES,
    jsonBodyLimitBytes: e.JSON_BODY_LIMIT,
    reportsDir: e.REPORTS_DIR,
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM,
    outboxDir: e.OUTBOX_DIR,
    mailMaxAttempts: e.MAIL_MAX_ATTEMPTS,
    mailRetryBaseMs: e.MAIL_RETRY_BASE_MS,
    monthlyRunCron: scheduled ? e.MONTHLY_RUN_CRON : null,
    weeklyRiskCron: scheduled ? e.WEEKLY_RISK_CRON : null,
    dailyConfirmCron: scheduled ? e.DAILY_CONFIRM_CRON : null,
    renderConcurrency: e.RENDER_CONCURRENCY,
    tierKeyPct: e.TIER_KEY_PCT,
    tierMajorPct: e.TIER_MAJOR_PCT,
    tierOrdinaryPct: e.TIER_ORDINARY_PCT,
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
