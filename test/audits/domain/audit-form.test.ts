import { criteriaOf, normaliseFormDefinition, validateFormDefinition, type FormDefinition } from '../../../src/audits/domain/audit-form';
import { DEFAULT_FORM } from '../../../src/audits/domain/default-form';

const valid = (): FormDefinition => ({
  name: 'Chat audit',
  channels: ['chat'],
  sections: [
    { id: 'open', title: 'Opening', criteria: [{ id: 'greet', label: 'Greets', type: 'yes_no', weight: 1, critical: false, allow_na: false }] },
    { id: 'close', title: 'Closing', criteria: [{ id: 'bye', label: 'Closes', type: 'scale', weight: 2.5, critical: true, allow_na: true }] },
  ],
});

describe('validateFormDefinition', () => {
  it('accepts a valid form and the default form', () => {
    expect(validateFormDefinition(valid())).toEqual([]);
    expect(validateFormDefinition(DEFAULT_FORM)).toEqual([]);
    expect(criteriaOf(DEFAULT_FORM).filter((c) => c.critical).map((c) => c.id)).toEqual(['identity_check', 'accurate_information']);
  });

  it('names each problem of a criterion by its path', () => {
    const f = valid() as unknown as { sections: { criteria: Record<string, unknown>[] }[] };
    Object.assign(f.sections[1].criteria[0], { weight: 0, type: 'stars', critical: 'yes', allow_na: undefined, label: '' });
    expect(validateFormDefinition(f)).toEqual([
      { field: 'sections[1].criteria[0].label', value: '', reason: 'must be a non-empty text of at most 300 characters' },
      { field: 'sections[1].criteria[0].type', value: 'stars', reason: 'must be one of yes_no, scale' },
      { field: 'sections[1].criteria[0].weight', value: 0, reason: 'must be a number > 0' },
      { field: 'sections[1].criteria[0].critical', value: 'yes', reason: 'must be true or false' },
      { field: 'sections[1].criteria[0].allow_na', value: undefined, reason: 'must be true or false' },
    ]);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '2'])('rejects weight %p', (weight) => {
    const f = valid();
    (f.sections[0].criteria[0] as unknown as Record<string, unknown>).weight = weight;
    expect(validateFormDefinition(f)).toEqual([{ field: 'sections[0].criteria[0].weight', value: weight, reason: 'must be a number > 0' }]);
  });

  it('criterion ids are unique across the whole form, section ids within it', () => {
    const f = valid();
    f.sections[1].criteria[0].id = 'greet';
    f.sections[1].id = 'open';
    expect(validateFormDefinition(f)).toEqual([
      { field: 'sections[1].id', value: 'open', reason: 'section id open is already used by sections[0]' },
      { field: 'sections[1].criteria[0].id', value: 'greet', reason: 'criterion id greet is already used by sections[0].criteria[0]; ids are unique across the form' },
    ]);
  });

  it('rejects bad ids, empty sections and forms, unknown fields and channels', () => {
    expect(validateFormDefinition({ name: 'x', sections: [] })).toEqual([{ field: 'sections', value: [], reason: 'must list at least one section' }]);
    expect(validateFormDefinition({ name: ' ', sections: [{ id: 'A B', title: 't', criteria: [] }], extra: 1, channels: ['fax', 'chat', 'chat'] }).map((e) => e.field)).toEqual([
      'extra',
      'name',
      'channels[0]',
      'channels[2]',
      'sections[0].id',
      'sections[0].criteria',
    ]);
    expect(validateFormDefinition(null)).toEqual([{ field: '', value: null, reason: 'must be an object with name and sections' }]);
    const f = valid() as unknown as { sections: { criteria: Record<string, unknown>[] }[] };
    f.sections[0].criteria[0].colour = 'red';
    expect(validateFormDefinition(f)).toEqual([{ field: 'sections[0].criteria[0].colour', reason: 'unknown field; allowed: id, label, guidance, type, weight, critical, allow_na' }]);
  });

  it('normalises optional fields with a stable key order', () => {
    const n = normaliseFormDefinition({ ...valid(), channels: undefined });
    expect(n.channels).toEqual([]);
    expect(n.description).toBeNull();
    expect(n.sections[0].criteria[0]).toEqual({ id: 'greet', label: 'Greets', guidance: null, type: 'yes_no', weight: 1, critical: false, allow_na: false });
  });
});
