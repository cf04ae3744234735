import { Injectable, type PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { DomainError } from '../errors/domain-error';

/** `:id` params must be UUIDs: a malformed one is 400 INVALID_ID, never a database error. */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUUID(value)) throw new DomainError('INVALID_ID', 'invalid', { args: { value: value.slice(0, 64) } });
    return value.toLowerCase();
  }
}
