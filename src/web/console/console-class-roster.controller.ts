import { Body, Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { AttendanceSummaryService } from '../../attendance/attendance-summary.service';
import { SignInSheetService } from '../../attendance/sign-in-sheet.service';
import { ClassErrors, SessionErrors } from '../../classes/classes.errors';
import { ClassesService, type ScopedClass } from '../../classes/classes.service';
import { DomainError, ERROR_KIND_STATUS } from '../../common/errors/domain-error';
import { sendAsFile, XLSX_TYPE } from '../../common/http/download';
import { Clock } from '../../common/time/clock';
import type { RosterDto, RosterEntryDto } from '../../enrolments/dto/enrolment.dto';
import { EnrolmentErrors } from '../../enrolments/enrolments.errors';
import { EnrolmentsService } from '../../enrolments/enrolments.service';
import { OrgUnitsService } from '../../org-units/org-units.service';
import { PlansService } from '../../plans/plans.service';
import { ListUsersQueryDto } from '../../users/dto/user.dto';
import { UsersService } from '../../users/users.service';
import type { FormFields } from '../forms';
import { type PageContext, PageRenderer } from '../page-renderer';
import { PageId } from '../page-id.pipe';
import { FormPost } from '../web-pages.decorator';
import { pageContextOf, type PageRequest } from '../web-session.guard';
import { classHref, sendRefusal, wordsOf } from './console-class-common';
import { ConsolePages } from './console-pages.decorator';

/** Trainees a search shows at most (a name or a phone number narrows it to a few). */
const FOUND_SHOWN = 20;
/** The longest search the users' list takes. */
const QUERY_MAX = 64;

/**
 * A class's roster work in the console: find a trainee of the class's county by name or phone
 * and enrol them (EnrolmentsService.enrol with the trainee's id, as `POST
 * /api/classes/:id/enrolments` for an admin: past the township's maximum or the capacity they
 * are waitlisted, and the class page says which limit was reached), withdraw one after a
 * confirmation (EnrolmentsService.withdraw), and the files: the roster as CSV and XLSX, the
 * attendance summary as XLSX (the API's own exports) and a session's sign-in sheet PDF
 * (SignInSheetService), all with Chinese file names (RFC 8187).
 */
@ConsolePages()
@Controller('console')
export class ConsoleClassRosterController {
  constructor(
    private readonly classes: ClassesService,
    private readonly enrolments: EnrolmentsService,
    private readonly summaries: AttendanceSummaryService,
    private readonly sheets: SignInSheetService,
    private readonly plans: PlansService,
    private readonly users: UsersService,
    private readonly orgUnits: OrgUnitsService,
    private readonly pages: PageRenderer,
    private readonly clock: Clock,
  ) {}

  @Get('classes/:id/enrol')
  async search(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
    @Query('q') rawQ?: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const c = await this.classes.getManaged(request.user!, id);
    await this.showSearch(request, reply, context, c, typeof rawQ === 'string' ? rawQ : '', null);
  }

  @FormPost('classes/:id/enrol')
  async enrol(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const c = await this.classes.getManaged(actor, id);
    const traineeId = body?.traineeId ?? '';
    const q = body?.q ?? '';
    try {
      if (!isUUID(traineeId)) throw EnrolmentErrors.traineeNotFound();
      const enrolment = await this.enrolments.enrol(actor, id, traineeId.toLowerCase());
      void reply.redirect(classHref(id, `?done=enrolled&enrolment=${enrolment.id}#roster`), 303);
    } catch (e) {
      // Anything but a service's refusal is not this page's to explain: the page filter answers it.
      if (!(e instanceof DomainError)) throw e;
      await this.showSearch(request, reply, context, c, q, e);
    }
  }

  @Get('classes/:id/enrolments/:enrolmentId/withdraw')
  async confirmWithdraw(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
    @Param('enrolmentId', PageId(EnrolmentErrors.notFound)) enrolmentId: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const t = wordsOf(this.pages, context);
    const actor = request.user!;
    const c = await this.classes.getManaged(actor, id);
    const found = entryOf(await this.enrolments.roster(actor, id), enrolmentId);
    if (!found) throw EnrolmentErrors.notFound();
    const { entry, township } = found;
    const heading = t('class_withdrawTitle');
    const back = { href: classHref(id, '#roster'), label: t('class_backToClass') };
    if (c.entity.status === 'completed' || c.entity.status === 'cancelled' || !withdrawable(entry)) {
      const refused = EnrolmentErrors.notWithdrawable(withdrawable(entry) ? c.entity.status : entry.status);
      return sendRefusal(this.pages, request, reply, context, refused, heading, back);
    }
    const lines = [
      t('class_withdraw_who', { name: entry.displayName, township, title: c.entity.title }),
      entry.status === 'confirmed'
        ? t('class_withdraw_seat')
        : t('class_withdraw_waitlist', { position: entry.position ?? 0 }),
      t('class_withdraw_reason'),
    ];
    const view = {
      title: heading,
      section: 'classes' as const,
      heading,
      classTitle: c.entity.title,
      intro: t('class_confirmIntro'),
      lines,
      warnings: [],
      form: {
        action: classHref(id, `/enrolments/${enrolmentId}/withdraw`),
        label: t('class_do_withdraw'),
        danger: true,
      },
      back,
    };
    this.pages.send(request, reply, 'console/class-confirm', context, view);
  }

  @FormPost('classes/:id/enrolments/:enrolmentId/withdraw')
  async withdraw(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
    @Param('enrolmentId', PageId(EnrolmentErrors.notFound)) enrolmentId: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const t = wordsOf(this.pages, context);
    const actor = request.user!;
    await this.classes.getManaged(actor, id);
    // Only an enrolment of this class: another class's id in this address is not there.
    if (!entryOf(await this.enrolments.roster(actor, id), enrolmentId)) throw EnrolmentErrors.notFound();
    try {
      await this.enrolments.withdraw(actor, enrolmentId);
    } catch (e) {
      const back = { href: classHref(id, '#roster'), label: t('class_backToClass') };
      return sendRefusal(this.pages, request, reply, context, e, t('class_withdrawTitle'), back);
    }
    void reply.redirect(classHref(id, '?done=withdrawn#roster'), 303);
  }

  @Get('classes/:id/roster.csv')
  async rosterCsv(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
  ): Promise<void> {
    await this.classes.getManaged(request.user!, id);
    const { filename, body } = await this.enrolments.rosterFile(request.user!, id, 'csv');
    sendAsFile(reply, filename, 'text/csv; charset=utf-8');
    void reply.send(body);
  }

  @Get('classes/:id/roster.xlsx')
  async rosterXlsx(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
  ): Promise<void> {
    await this.classes.getManaged(request.user!, id);
    const { filename, body } = await this.enrolments.rosterFile(request.user!, id, 'xlsx');
    sendAsFile(reply, filename, XLSX_TYPE);
    void reply.send(body);
  }

  @Get('classes/:id/attendance.xlsx')
  async attendanceXlsx(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
  ): Promise<void> {
    await this.classes.getManaged(request.user!, id);
    const { filename, body } = await this.summaries.workbook(request.user!, id, this.clock.now());
    sendAsFile(reply, filename, XLSX_TYPE);
    void reply.send(body);
  }

  @Get('sessions/:id/sign-in-sheet')
  async signInSheet(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(SessionErrors.notFound)) id: string,
  ): Promise<void> {
    const { filename, pdf } = await this.sheets.render(request.user!, id);
    sendAsFile(reply, filename, 'application/pdf');
    void reply.send(pdf);
  }

  /**
   * The search page: trainees of the class's county matching `q` (name, username or phone), each
   * with where their township stands (places left, or that enrolling waitlists them) and a button
   * to enrol, or where they already are. `problem` is the refusal of an enrolment just tried.
   */
  private async showSearch(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    c: ScopedClass,
    rawQ: string,
    problem: DomainError | null,
  ): Promise<void> {
    const t = wordsOf(this.pages, context);
    const actor = request.user!;
    const id = c.entity.id;
    const q = rawQ.trim();
    const tooLong = q.length > QUERY_MAX;
    let refusal: { message: string; next: string } | null = null;
    let status = 200;
    if (problem) {
      refusal = this.pages.refusal(context.lang, problem, 'class_');
      status = ERROR_KIND_STATUS[problem.kind];
    }
    let results: unknown[] = [];
    let searched = false;
    if (q && !tooLong) {
      searched = true;
      const plan = await this.plans.getInScope(actor, c.entity.planId);
      const found = await this.users.list(
        actor,
        Object.assign(new ListUsersQueryDto(), {
          page: 1,
          pageSize: FOUND_SHOWN,
          q,
          role: 'trainee',
          active: true,
          orgUnitId: plan.orgUnitId,
        }),
      );
      const quota = await this.enrolments.quota(actor, id);
      const roster = await this.enrolments.roster(actor, id);
      const enrolled = new Map(roster.townships.flatMap((tw) => tw.enrolments.map((e) => [e.traineeId, e] as const)));
      const classFull = quota.confirmed >= quota.capacity;
      results = await Promise.all(
        found.items.map(async (u) => {
          const township = await this.orgUnits.townshipOf(u.orgUnitId);
          const tq = township ? quota.townships.find((x) => x.townshipId === township.id) : undefined;
          const mine = enrolled.get(u.id);
          const full = classFull || (!!tq && tq.confirmed >= tq.max);
          let place: string;
          if (!township) place = t('class_enrol_noTownship');
          else if (tq && tq.confirmed >= tq.max)
            place = t('class_enrol_townshipFull', { township: township.name, confirmed: tq.confirmed, max: tq.max });
          else if (classFull)
            place = t('class_enrol_classFull', { confirmed: quota.confirmed, capacity: quota.capacity });
          else
            place = t('class_enrol_placesLeft', {
              township: township.name,
              confirmed: tq?.confirmed ?? 0,
              max: tq?.max ?? c.entity.maxPerTownship,
            });
          return {
            id: u.id,
            name: u.displayName,
            phone: u.phone ?? u.username,
            township: township?.name ?? t('console_none'),
            place,
            full,
            already: mine
              ? mine.status === 'waitlisted'
                ? t('class_enrolment_waitlistedAt', { position: mine.position ?? 0 })
                : t(`class_enrolment_${mine.status}`)
              : null,
            mayEnrol: !mine && !!township && c.entity.status === 'open',
          };
        }),
      );
    }
    const view = {
      title: t('class_enrolTitle'),
      section: 'classes' as const,
      classTitle: c.entity.title,
      classHref: classHref(id),
      action: classHref(id, '/enrol'),
      q: rawQ,
      qError: tooLong ? t('class_err_queryLong', { max: QUERY_MAX }) : null,
      closed:
        c.entity.status !== 'open' ? t('class_enrol_notOpen', { state: t(`class_state_${c.entity.status}`) }) : null,
      refusal,
      searched,
      results,
      noResults: searched && results.length === 0,
    };
    this.pages.send(request, reply, 'console/class-enrol', context, view, tooLong ? 400 : status);
  }
}

/** Whether an admin may withdraw this enrolment (it holds a seat or a waitlist place). */
function withdrawable(entry: RosterEntryDto): boolean {
  return entry.status === 'confirmed' || entry.status === 'waitlisted';
}

/** An enrolment of the roster (withdrawn ones are not on it), with its township's name. */
function entryOf(roster: RosterDto, enrolmentId: string): { entry: RosterEntryDto; township: string } | undefined {
  for (const tw of roster.townships) {
    const entry = tw.enrolments.find((e) => e.enrolmentId === enrolmentId);
    if (entry) return { entry, township: tw.name };
  }
  return undefined;
}
