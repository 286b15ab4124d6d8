import { Client } from 'pg';
import { AuditFormsService } from '../../src/audits/audit-forms.service';
import { createHttpApp } from '../../src/http-app';
import { createTestApp, type TestApp } from '../support/test-app';
import { fixClock } from './audit-helpers';

/** The default form is seeded on bootstrap once, however often and however concurrently bootstrap runs. */
describe('default audit form seed', () => {
  let t: TestApp;
  beforeAll(async () => {
    fixClock();
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('is idempotent and safe with several instances starting together', async () => {
    const svc = t.app.get(AuditFormsService);
    await Promise.all([svc.onApplicationBootstrap(), svc.onApplicationBootstrap(), svc.onApplicationBootstrap(), svc.onApplicationBootstrap()]);
    // a second application on the same database (another instance)
    const other = await createHttpApp(t.config, t.databaseUrl, { logs: false });
    await other.init();
    await other.close();
    const c = new Client({ connectionString: t.databaseUrl });
    await c.connect();
    const forms = await c.query("select count(*)::int as n from audit_forms where seed_key = 'default-service-audit'");
    const versions = await c.query('select count(*)::int as n from audit_form_versions');
    const log = await c.query("select count(*)::int as n from audit_log where entity_type = 'form' and action = 'create'");
    await c.end();
    expect([forms.rows[0].n, versions.rows[0].n, log.rows[0].n]).toEqual([1, 1, 1]);
  });
});
