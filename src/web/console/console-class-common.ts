import type { FastifyReply } from 'fastify';
import type { ClassStatus } from '../../classes/classes.types';
import type { RosterEntryDto } from '../../enrolments/dto/enrolment.dto';
import type { PageContext, PageRenderer } from '../page-renderer';
import type { PageRequest } from '../web-session.guard';
import { refusalOf } from './console-common';

/**
 * What the console's class pages (班级: ConsoleClassesController, ConsoleClassEditController,
 * ConsoleClassRosterController) share: the badges of states, and the page that says a
 * service's refusal in words with the way back.
 */

/** A state's badge: its words always, the colour only beside them. */
export const CLASS_BADGE: Record<ClassStatus, string> = {
  draft: '',
  open: 'badge_ok',
  running: 'badge_ok',
  completed: '',
  cancelled: 'badge_bad',
};

export const ENROLMENT_BADGE: Record<RosterEntryDto['status'], string> = {
  confirmed: 'badge_ok',
  completed: 'badge_ok',
  waitlisted: 'badge_warn',
  withdrawn: '',
};

/** `/console/classes/<id>` and its sub-pages. */
export const classHref = (id: string, rest = ''): string => `/console/classes/${id}${rest}`;

/** A class page's words in the reader's language. */
export function wordsOf(pages: PageRenderer, context: PageContext) {
  return (key: string, args: Record<string, string | number> = {}): string => pages.t(context.lang, key, args);
}

/**
 * A service's refusal as a console page: the heading, its message (the API's words) and what to
 * do next (`class_next_<CODE>`, else the general hint), a link back to the class, at the
 * refusal's status. Anything but a DomainError is thrown on (the page filter answers it).
 */
export function sendRefusal(
  pages: PageRenderer,
  request: PageRequest,
  reply: FastifyReply,
  context: PageContext,
  e: unknown,
  heading: string,
  back: { href: string; label: string },
): void {
  const { message, next, status } = refusalOf(pages, context.lang, e, 'class_');
  const view = { title: heading, section: 'classes' as const, heading, refusal: { message, next }, back };
  pages.send(request, reply, 'console/class-confirm', context, view, status);
}
