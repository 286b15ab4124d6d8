import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { notFound } from '../common/problem-details';

/** A numeric id path parameter: 404 (naming the parameter) for anything that cannot be an id. */
@Injectable()
export class IdPipe implements PipeTransform<string, number> {
  transform(value: string, meta: ArgumentMetadata): number {
    if (!/^[1-9]\d{0,9}$/.test(value) || Number(value) > 2147483647) throw notFound((meta.data ?? 'id').replace(/_id$|^id$/, '') || 'record', value);
    return Number(value);
  }
}
