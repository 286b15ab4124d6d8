import { UnprocessableEntityException, ValidationPipe, type ValidationError } from '@nestjs/common';
import type { ProblemFieldError } from './problem-details';

function flatten(errors: ValidationError[], prefix = ''): ProblemFieldError[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    // never echo secrets back (or into logs)
    const secret = /pass(word)?|secret|token/i.test(e.property);
    const own = Object.values(e.constraints ?? {}).map((reason) => (secret ? { field, reason } : { field, value: e.value as unknown, reason }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** The one global validation pipe: whitelist, forbid unknown fields, transform; 422 naming each field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const list = flatten(errors);
      return new UnprocessableEntityException({ message: list.map((e) => `${e.field}: ${e.reason}`).join('; '), errors: list });
    },
  });
}
