import { applyDecorators } from '@nestjs/common';
import { PageRoles } from '../page-roles';
import { WebPages } from '../web-pages.decorator';

/**
 * A controller of the admins' console (`/console/…`): a @WebPages controller (cookie session,
 * CSRF on every form, errors as pages) for admins only; anyone else gets a 403 page saying the
 * console is the library's, or 403 FORBIDDEN to a script. What an admin sees is its own part
 * of the organisation: the services' scope rules, as for the API (404 outside it).
 */
export const ConsolePages = (): ClassDecorator =>
  applyDecorators(WebPages(), PageRoles(['admin'], 'console_forAdminsText', 'console_forAdmins'));
