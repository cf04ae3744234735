import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '../users/user.types';
import { WrongRole } from './page-errors';
import type { PageRequest } from './web-session.guard';

const PAGE_ROLES = 'web:pageRoles';

/** Who a page is for, and the `pages` catalogue's words for everyone else. */
interface PageRolesMeta {
  roles: readonly Role[];
  /** The refusal page's heading: "this page is for trainees" or "… for trainers". */
  heading: string;
  /** What the page is for, and where the reader goes instead. */
  text: string;
}

/**
 * The roles a page (or every page of a controller) is for: anyone else gets WrongRole, which
 * WebPageFilter answers 403 with a page saying whom it is for (`text`, a `pages` catalogue key),
 * or the API's 403 FORBIDDEN to a page's script. `heading` (a `pages` key) defaults to "this page is for
 * trainees" or "… for trainers". A route marked `@PageRoles()` (no roles) is open
 * to every role, whatever its controller says.
 */
export const PageRoles = (
  roles: readonly Role[] = [],
  text = '',
  heading = roles.includes('trainee') ? 'courses_forbiddenTitle' : 'live_forStaff',
): ClassDecorator & MethodDecorator =>
  SetMetadata<string, PageRolesMeta | null>(PAGE_ROLES, roles.length === 0 ? null : { roles, text, heading });

/** Checks @PageRoles after WebSessionGuard has found the reader (part of @WebPages). */
@Injectable()
export class PageRolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const meta = this.reflector.getAllAndOverride<PageRolesMeta | null | undefined>(PAGE_ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    const user = context.switchToHttp().getRequest<PageRequest>().user;
    if (!meta || !user || meta.roles.includes(user.role)) return true;
    throw new WrongRole(meta.heading, meta.text);
  }
}
