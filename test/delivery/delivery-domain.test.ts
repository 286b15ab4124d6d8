import fc from 'fast-check';
import { afterFailure, totalBackoffMs } from '../../src/delivery/domain/backoff';
import { attachmentFilename, composeDeliveryMail, deliveryMessageId, type MailReport } from '../../src/delivery/domain/delivery-mail';

describe('backoff', () => {
  const policy = { maxAttempts: 5, baseMs: 30_000 };

  it('doubles the delay after every failed attempt and gives up after the last', () => {
    expect(afterFailure(1, policy)).toEqual({ status: 'pending', delayMs: 30_000 });
    expect(afterFailure(2, policy)).toEqual({ status: 'pending', delayMs: 60_000 });
    expect(afterFailure(3, policy)).toEqual({ status: 'pending', delayMs: 120_000 });
    expect(afterFailure(4, policy)).toEqual({ status: 'pending', delayMs: 240_000 });
    expect(afterFailure(5, policy)).toEqual({ status: 'failed' });
    expect(afterFailure(6, policy)).toEqual({ status: 'failed' });
    // 30 + 60 + 120 + 240 seconds
    expect(totalBackoffMs(policy)).toBe(450_000);
  });

  it('one attempt only: the first failure is final', () => {
    expect(afterFailure(1, { maxAttempts: 1, baseMs: 1000 })).toEqual({ status: 'failed' });
    expect(totalBackoffMs({ maxAttempts: 1, baseMs: 1000 })).toBe(0);
  });

  it('rejects a non-positive attempt count', () => {
    expect(() => afterFailure(0, policy)).toThrow(RangeError);
    expect(() => afterFailure(1.5, policy)).toThrow(RangeError);
  });

  it('every delivery gets exactly maxAttempts attempts, and each delay is twice the one before', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 100_000 }), (maxAttempts, baseMs) => {
        const p = { maxAttempts, baseMs };
        let attempts = 1;
        let previous: number | null = null;
        let waited = 0;
        for (;;) {
          const next = afterFailure(attempts, p);
          if (next.status === 'failed') break;
          if (previous !== null) expect(next.delayMs).toBe(previous * 2);
          previous = next.delayMs;
          waited += next.delayMs;
          attempts += 1;
        }
        expect(attempts).toBe(maxAttempts);
        expect(waited).toBe(totalBackoffMs(p));
      }),
    );
  });
});

describe('the delivery e-mail', () => {
  const r = (reportId: number, subjectType: 'agent' | 'team', subjectId: string, teamId: string, subjectName: string | null = null, version = 2): MailReport => ({
    reportId,
    period: '2026-10',
    version,
    subjectType,
    subjectId,
    subjectName,
    teamId,
  });

  it('subject, body listing teams then agents, one attachment name per report', () => {
    const mail = composeDeliveryMail({
      period: '2026-10',
      version: 2,
      scopes: ['team N', 'self'],
      reports: [r(5, 'agent', 'a2', 'N1', '王小明'), r(1, 'team', 'N1', 'N1', 'North-1'), r(4, 'agent', 'a1', 'N', 'Alice Wang'), r(2, 'team', 'N', 'N', 'North')],
    });
    expect(mail.subject).toBe('Yardstick scorecards 2026-10 (v2)');
    expect(mail.attachments).toEqual([
      { reportId: 2, filename: '2026-10_team_N_v2.pdf' },
      { reportId: 1, filename: '2026-10_team_N1_v2.pdf' },
      { reportId: 4, filename: '2026-10_agent_a1_v2.pdf' },
      { reportId: 5, filename: '2026-10_agent_a2_v2.pdf' },
    ]);
    expect(mail.text).toBe(
      [
        'Hello,',
        '',
        'the Yardstick scorecards of 2026-10 (snapshot version 2) are attached: 4 PDF files.',
        '',
        'Teams (2):',
        '  - N North: 2026-10_team_N_v2.pdf',
        '  - N1 North-1: 2026-10_team_N1_v2.pdf',
        '',
        'Agents (2):',
        '  - a1 Alice Wang (team N): 2026-10_agent_a1_v2.pdf',
        '  - a2 王小明 (team N1): 2026-10_agent_a2_v2.pdf',
        '',
        'You receive this e-mail because of your subscriptions: team N; self.',
        'Manage subscriptions with GET/POST/DELETE /api/v1/subscriptions.',
        '',
        '-- ',
        'Yardstick',
        '',
      ].join('\n'),
    );
  });

  it('one report: singular wording, no empty section', () => {
    const mail = composeDeliveryMail({ period: '2026-10', version: 1, scopes: ['self'], reports: [r(9, 'agent', 'a3', 'S', null, 1)] });
    expect(mail.text).toContain('are attached: 1 PDF file.');
    expect(mail.text).not.toContain('Teams');
    expect(mail.text).toContain('  - a3 (team S): 2026-10_agent_a3_v1.pdf');
    expect(mail.text).toContain('because of your subscription: self.');
  });

  it('attachment names are ASCII and unique even when ids differ only in unsafe characters', () => {
    expect(attachmentFilename({ period: '2026-10', subjectType: 'agent', subjectId: 'Zhang/三', version: 1 })).toBe('2026-10_agent_Zhang___v1.pdf'); // '/' and '三' → '_', then the separator
    const mail = composeDeliveryMail({
      period: '2026-10',
      version: 1,
      scopes: ['org'],
      reports: [r(1, 'agent', 'a/1', 'T'), r(2, 'agent', 'a_1', 'T'), r(3, 'agent', 'a 1', 'T')],
    });
    const names = mail.attachments.map((a) => a.filename);
    expect(new Set(names).size).toBe(3);
    expect(names.every((n) => /^[A-Za-z0-9._-]+$/.test(n))).toBe(true);
  });

  it('Message-ID: stable per delivery, in the sender’s domain', () => {
    expect(deliveryMessageId(12, 345, 'Yardstick <reports@example.com>')).toBe('<yardstick.run12.delivery345@example.com>');
    expect(deliveryMessageId(1, 2, 'no address here')).toBe('<yardstick.run1.delivery2@yardstick.localhost>');
  });
});
