import { NotFoundException, type PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { DomainError } from '../common/errors/domain-error';

/**
 * A page's `:id`: a UUID (lower case), else 404, since to a person an address that names nothing
 * is a page that is not there. `notFound` is the module's own error for the thing the address
 * names (`ClassErrors.notFound`: "找不到该培训班"), else the plain "no such page" (WebPageFilter's
 * 404 page, or the API's 404 NOT_FOUND to a page's script). Pages use this instead of the
 * API's ParseIdPipe (400 INVALID_ID).
 */
export function PageId(notFound?: () => DomainError): PipeTransform<string, string> {
  return {
    transform(value: string): string {
      if (typeof value === 'string' && isUUID(value)) return value.toLowerCase();
      throw notFound ? notFound() : new NotFoundException();
    },
  };
}
