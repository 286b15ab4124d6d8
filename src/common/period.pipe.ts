import { Injectable, type PipeTransform } from '@nestjs/common';
import { ProblemException } from './problem-details';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Validates a `{period}` path parameter (YYYY-MM), 422 naming it otherwise. */
@Injectable()
export class ParsePeriodPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!PERIOD.test(value)) {
      throw new ProblemException(422, 'Unprocessable Content', 'period must be YYYY-MM', {
        errors: [{ field: 'period', value, reason: 'must be a calendar month YYYY-MM' }],
      });
    }
    return value;
  }
}
