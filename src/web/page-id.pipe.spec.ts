import { NotFoundException } from '@nestjs/common';
import { ClassErrors } from '../classes/classes.errors';
import { DomainError } from '../common/errors/domain-error';
import { PageId } from './page-id.pipe';

describe('PageId', () => {
  it('takes ids that are UUIDs only, in lower case', () => {
    expect(PageId().transform('0A1B2C3D-0000-4000-8000-000000000000', { type: 'param' })).toBe(
      '0a1b2c3d-0000-4000-8000-000000000000',
    );
  });

  it('answers anything else as a page that is not there: the module’s own error, else a plain 404', () => {
    expect(() => PageId().transform('not-an-id', { type: 'param' })).toThrow(NotFoundException);
    const thrown = (() => {
      try {
        return PageId(ClassErrors.notFound).transform('1', { type: 'param' });
      } catch (e) {
        return e;
      }
    })();
    expect(thrown).toBeInstanceOf(DomainError);
    expect(thrown).toMatchObject({ code: 'CLASS_NOT_FOUND' });
  });
});
