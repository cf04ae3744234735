import type { ExecutionContext } from '@nestjs/common';
import { Controller, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '../users/user.types';
import { WrongRole } from './page-errors';
import { PageRoles, PageRolesGuard } from './page-roles';

@PageRoles(['trainee'], 'quiz_forTrainees')
@Controller()
class TraineePages {
  @Get('a')
  page(): void {}

  @Get('b')
  @PageRoles()
  open(): void {}
}

@Controller()
class StaffPages {
  @Get('c')
  @PageRoles(['trainer', 'admin'], 'visits_forStaffText')
  page(): void {}

  @Get('d')
  any(): void {}
}

describe('PageRolesGuard', () => {
  const guard = new PageRolesGuard(new Reflector());
  const call = (cls: new () => object, method: string, role?: Role) =>
    guard.canActivate({
      getHandler: () => (cls.prototype as Record<string, unknown>)[method],
      getClass: () => cls,
      switchToHttp: () => ({ getRequest: () => ({ user: role && { id: 'u1', role } }) }),
    } as unknown as ExecutionContext);

  it('lets the page’s roles in and refuses the others with the page’s words', () => {
    expect(call(TraineePages, 'page', 'trainee')).toBe(true);
    expect(() => call(TraineePages, 'page', 'trainer')).toThrow(WrongRole);
    try {
      call(StaffPages, 'page', 'trainee');
    } catch (e) {
      expect(e).toMatchObject({ heading: 'live_forStaff', text: 'visits_forStaffText' });
    }
    expect.assertions(3);
  });

  it('leaves alone routes without roles, routes opened to all, and requests without a reader', () => {
    expect(call(TraineePages, 'open', 'admin')).toBe(true);
    expect(call(StaffPages, 'any', 'trainee')).toBe(true);
    expect(call(TraineePages, 'page')).toBe(true);
  });
});
