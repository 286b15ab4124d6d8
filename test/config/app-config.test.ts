import { ConfigError, loadConfig } from '../../src/config/app-config';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      databaseUrl: null,
      port: 3000,
      orgTimezone: 'UTC',
      inactivityDays: 180,
      defaultMarginRate: 0.3,
      lowSampleMin: 10,
      slaFirstResponseMinutes: 60,
      slaResolutionHours: 24,
      riskPAlive: 0.5,
      clvHorizonMonths: 12,
      discountRate: 0.1,
      feedbackMinRaters: 3,
      winbackWindowDays: 90,
      notWorthComplaints: 6,
      jwtSecret: null,
    });
  });

  it('reads every variable', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u@h:5432/db',
      PORT: '8080',
      ORG_TIMEZONE: 'Asia/Shanghai',
      INACTIVITY_DAYS: '0',
      DEFAULT_MARGIN_RATE: '0.25',
      LOW_SAMPLE_MIN: '5',
      JWT_SECRET: 'x'.repeat(32),
      IMPORT_MAX_BYTES: '20mb',
    });
    expect(c).toMatchObject({
      databaseUrl: 'postgres://u@h:5432/db',
      port: 8080,
      orgTimezone: 'Asia/Shanghai',
      inactivityDays: 0,
      defaultMarginRate: 0.25,
      lowSampleMin: 5,
      jwtSecret: 'x'.repeat(32),
      importMaxBytes: 20 * 1024 * 1024,
    });
  });

  it('names every bad variable with its value and the rule', () => {
    let err: unknown;
    try {
      loadConfig({ ORG_TIMEZONE: 'Mars/Olympus', INACTIVITY_DAYS: 'soon', DEFAULT_MARGIN_RATE: '1.5', DATABASE_URL: 'mysql://x', JWT_SECRET: 'short' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toContain('ORG_TIMEZONE="Mars/Olympus" must be an IANA time zone');
    expect(problems).toContain('INACTIVITY_DAYS="soon" must be an integer');
    expect(problems).toContain('DEFAULT_MARGIN_RATE="1.5" must be ≤ 1');
    expect(problems).toContain('DATABASE_URL="mysql://x" must be a postgres:// URL');
    expect(problems).toContain('JWT_SECRET="short" must be at least 32 characters');
    expect((err as ConfigError).problems).toHaveLength(5);
  });

  it('requires JWT_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow('JWT_SECRET is required when NODE_ENV=production');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', ORG_TIMEZONE: ' ' }).port).toBe(3000);
  });
});
