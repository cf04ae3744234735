import { Body, Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { isEditable } from '../../classes/classes.types';
import { ClassErrors } from '../../classes/classes.errors';
import { ClassesService, type ScopedClass } from '../../classes/classes.service';
import type { AuthUser } from '../../common/auth/auth-user';
import { DomainError } from '../../common/errors/domain-error';
import { Env } from '../../config/env';
import { CoursesService } from '../../courses/courses.service';
import { ListCoursesQueryDto } from '../../courses/dto/course.dto';
import { PlansService } from '../../plans/plans.service';
import { ListQuizzesQueryDto } from '../../quizzes/dto/quiz.dto';
import { QuizzesService } from '../../quizzes/quizzes.service';
import { ListUsersQueryDto } from '../../users/dto/user.dto';
import { UsersService } from '../../users/users.service';
import { ListVenuesQueryDto } from '../../venues/dto/venue.dto';
import { VenuesService } from '../../venues/venues.service';
import type { FormFields } from '../forms';
import { type PageContext, PageRenderer } from '../page-renderer';
import { PageId } from '../page-id.pipe';
import { FormPost } from '../web-pages.decorator';
import { pageContextOf, type PageRequest } from '../web-session.guard';
import { classHref, sendRefusal, wordsOf } from './console-class-common';
import {
  type ClassFormErrors,
  type ClassFormValues,
  fieldOfRefusal,
  formValuesOf,
  readClassForm,
  toUpdateDto,
} from './console-class-form';
import { ConsolePages } from './console-pages.decorator';

/** Choices a select lists at most (a county has a handful of courses, venues and trainers). */
const CHOICES = 100;

/**
 * 修改培训班: the class's fields as a form, saved through ClassesService.update (the step
 * `PATCH /api/classes/:id` takes). The text is checked with the API's UpdateClassDto first; each
 * problem, and each refusal of the service (dates outside the quarter, a trainer who still has
 * sessions, limits below the seats taken…), comes back in words beside its field, everything
 * typed kept (400). Courses, venues, trainers and quizzes to choose from are the class's county's.
 */
@ConsolePages()
@Controller('console')
export class ConsoleClassEditController {
  constructor(
    private readonly classes: ClassesService,
    private readonly plans: PlansService,
    private readonly courses: CoursesService,
    private readonly venues: VenuesService,
    private readonly users: UsersService,
    private readonly quizzes: QuizzesService,
    private readonly pages: PageRenderer,
    private readonly env: Env,
  ) {}

  @Get('classes/:id/edit')
  async edit(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const t = wordsOf(this.pages, context);
    const c = await this.classes.getManaged(request.user!, id);
    if (!isEditable(c.entity.status)) {
      const refused = ClassErrors.notEditable(c.entity.status);
      const back = { href: classHref(id), label: t('class_backToClass') };
      return sendRefusal(this.pages, request, reply, context, refused, t('class_editTitle'), back);
    }
    await this.show(request, reply, context, c, formValuesOf(c, this.env.TZ_DEFAULT), {}, 200);
  }

  @FormPost('classes/:id/edit')
  async save(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(ClassErrors.notFound)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const t = wordsOf(this.pages, context);
    const c = await this.classes.getManaged(actor, id);
    const values = readClassForm(body ?? {});
    const { dto, errors } = await toUpdateDto(values, this.env.TZ_DEFAULT);
    if (Object.keys(errors).length === 0) {
      try {
        await this.classes.update(actor, id, dto);
        return void reply.redirect(classHref(id, '?done=saved'), 303);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        const field = fieldOfRefusal(e.code, e.details);
        if (!field) {
          const back = { href: classHref(id), label: t('class_backToClass') };
          return sendRefusal(this.pages, request, reply, context, e, t('class_editTitle'), back);
        }
        errors[field] = { text: this.pages.errorMessage(context.lang, e) };
      }
    }
    await this.show(request, reply, context, c, values, errors, 400);
  }

  private async show(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    c: ScopedClass,
    values: ClassFormValues,
    errors: ClassFormErrors,
    status: number,
  ): Promise<void> {
    const t = wordsOf(this.pages, context);
    const actor = request.user!;
    const choices = await this.choices(actor, c);
    const messages = Object.fromEntries(
      Object.entries(errors).map(([field, e]) => [field, 'key' in e ? t(e.key) : e.text]),
    );
    const trainers = new Set(values.trainerIds);
    const option = (value: string, label: string, current: string) => ({ value, label, selected: value === current });
    const view = {
      title: t('class_editTitle'),
      section: 'classes' as const,
      classTitle: c.entity.title,
      action: classHref(c.entity.id, '/edit'),
      back: classHref(c.entity.id),
      values,
      errors: messages,
      errorCount: Object.keys(messages).length,
      courses: choices.courses.map((x) => option(x.id, x.title, values.courseId)),
      quarters: ['1', '2', '3', '4'].map((q) => option(q, t('class_quarterN', { quarter: q }), values.quarter)),
      venues: [option('', t('class_noVenue'), values.venueId)].concat(
        choices.venues.map((x) => option(x.id, x.name, values.venueId)),
      ),
      trainers: choices.trainers.map((x) => ({
        field: `trainer_${x.id}`,
        id: `trainer_${x.id}`,
        name: x.displayName,
        checked: trainers.has(x.id),
      })),
      quizzes: [option('', t('class_noQuiz'), values.requiredQuizId)].concat(
        choices.quizzes.map((x) => option(x.id, x.title, values.requiredQuizId)),
      ),
    };
    this.pages.send(request, reply, 'console/class-edit', context, view, status);
  }

  /**
   * What the selects offer: the courses the admin may use, the venues, active trainers and
   * quizzes of the class's county (the service checks each choice again on saving). A trainer
   * of the class who is no longer listed (moved, deactivated) stays ticked, so saving says why.
   */
  private async choices(actor: AuthUser, c: ScopedClass) {
    const plan = await this.plans.getInScope(actor, c.entity.planId);
    const page = { page: 1, pageSize: CHOICES };
    const courses = await this.courses.list(actor, Object.assign(new ListCoursesQueryDto(), page));
    const venues = await this.venues.list(
      actor,
      Object.assign(new ListVenuesQueryDto(), { ...page, orgUnitId: plan.orgUnitId }),
    );
    const trainers = await this.users.list(
      actor,
      Object.assign(new ListUsersQueryDto(), { ...page, orgUnitId: plan.orgUnitId, role: 'trainer', active: true }),
    );
    const quizzes = await this.quizzes.list(
      actor,
      Object.assign(new ListQuizzesQueryDto(), { ...page, classId: c.entity.id }),
    );
    const listed = new Set(trainers.items.map((u) => u.id));
    const missing = c.trainerIds.filter((id) => !listed.has(id));
    const others = missing.length ? [...(await this.users.refs(missing)).values()] : [];
    return {
      courses: courses.items,
      venues: venues.items,
      trainers: [...trainers.items.map((u) => ({ id: u.id, displayName: u.displayName })), ...others],
      quizzes: quizzes.items,
    };
  }
}
