/**
 * The form seeded on first start: a mystery-shopper audit of a phone or chat service
 * contact. Two critical items (data protection, correct information) auto-fail the audit.
 */
import type { FormDefinition } from './audit-form';

/** Identifies the seeded form (the seed is idempotent on this key). */
export const DEFAULT_FORM_SEED_KEY = 'default-service-audit';

export const DEFAULT_FORM: FormDefinition = {
  name: 'Service audit (phone / chat)',
  description: 'Mystery-shopper audit of a phone call or chat with a service agent.',
  channels: ['phone', 'chat'],
  sections: [
    {
      id: 'opening',
      title: 'Opening',
      criteria: [
        { id: 'greeting', label: 'Greets the customer promptly and politely', guidance: 'Phone: within 3 rings / 20 s; chat: first reply within 60 s.', type: 'yes_no', weight: 2, critical: false, allow_na: false },
        { id: 'introduction', label: 'Gives their name and the company name', guidance: null, type: 'yes_no', weight: 1, critical: false, allow_na: false },
      ],
    },
    {
      id: 'needs',
      title: 'Understanding the need',
      criteria: [
        { id: 'listening', label: 'Listens actively and lets the customer finish', guidance: '1 = interrupts repeatedly, 5 = summarises the need back accurately.', type: 'scale', weight: 3, critical: false, allow_na: false },
        { id: 'questions', label: 'Asks the questions needed to understand the request', guidance: null, type: 'scale', weight: 2, critical: false, allow_na: false },
        { id: 'identity_check', label: 'Verifies the customer’s identity before discussing account details', guidance: 'N/A when no account details were discussed.', type: 'yes_no', weight: 2, critical: true, allow_na: true },
      ],
    },
    {
      id: 'resolution',
      title: 'Resolution',
      criteria: [
        { id: 'accurate_information', label: 'Gives correct and complete information', guidance: 'Checked against the scenario’s reference answer.', type: 'yes_no', weight: 4, critical: true, allow_na: false },
        { id: 'solution', label: 'Offers a suitable solution or alternative', guidance: null, type: 'scale', weight: 3, critical: false, allow_na: false },
        { id: 'next_steps', label: 'Explains the next steps and timelines', guidance: 'N/A when the request was settled during the contact.', type: 'yes_no', weight: 1, critical: false, allow_na: true },
      ],
    },
    {
      id: 'manner',
      title: 'Manner and closing',
      criteria: [
        { id: 'courtesy', label: 'Tone: courteous, patient and positive', guidance: null, type: 'scale', weight: 2, critical: false, allow_na: false },
        { id: 'hold_etiquette', label: 'Asks permission before a hold and thanks for waiting', guidance: 'N/A when there was no hold (chat: no pause over 2 min).', type: 'yes_no', weight: 1, critical: false, allow_na: true },
        { id: 'closing', label: 'Offers further help and closes politely', guidance: null, type: 'yes_no', weight: 1, critical: false, allow_na: false },
      ],
    },
  ],
};
