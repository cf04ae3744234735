import { Body, Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../../common/auth/auth-user';
import { DomainError } from '../../common/errors/domain-error';
import { OrgUnitsService } from '../../org-units/org-units.service';
import type { OrgUnit } from '../../org-units/org-units.types';
import { CreateUserDto, ListUsersQueryDto, SELF_EDITABLE, UpdateUserDto } from '../../users/dto/user.dto';
import type { User } from '../../users/user.types';
import { UserErrors } from '../../users/users.errors';
import { UsersService } from '../../users/users.service';
import type { FormFields } from '../forms';
import { PageId } from '../page-id.pipe';
import { type PageContext, PageRenderer } from '../page-renderer';
import { FormPost } from '../web-pages.decorator';
import { pageContextOf, type PageRequest } from '../web-session.guard';
import { consolePager, doneNotice, pageParam } from './console-common';
import { ConsolePages } from './console-pages.decorator';
import { checkForm, choices, errorsInWords, peopleTabs, text, unitChoices } from './people-pages';

/** Users per page of the list. */
const PAGE_SIZE = 20;

/** The fields of the user form, as typed. */
const USER_FIELDS = [
  'username',
  'password',
  'displayName',
  'role',
  'orgUnitId',
  'phone',
  'email',
  'education',
  'proficiency',
] as const;
type UserField = (typeof USER_FIELDS)[number];
type UserValues = Record<UserField, string>;

/** The words for a field's problem, by field (`people_err_<…>`). */
const FIELD_ERROR: Record<UserField, string> = {
  username: 'people_err_username',
  password: 'people_err_password',
  displayName: 'people_err_displayName',
  role: 'people_err_role',
  orgUnitId: 'people_err_orgUnit',
  phone: 'people_err_phone',
  email: 'people_err_email',
  education: 'people_err_choice',
  proficiency: 'people_err_choice',
};

/** The list's filters as given in the address (invalid ones dropped). */
interface Filters {
  q: string;
  role: string;
  orgUnitId: string;
  active: string;
  page: number;
}

/**
 * 学员与组织 · 用户: the accounts of the admin's part of the tree, found by name, username or
 * phone and filtered by role, unit and status, a page at a time (UsersService.list, as
 * `GET /api/users`); a new account (UsersService.create, as `POST /api/users`) and an account's
 * page to change it, set a new password or deactivate and reactivate it (UsersService.update, as
 * `PATCH /api/users/:id`, which ends the user's sessions on a new role, password or deactivation).
 */
@ConsolePages()
@Controller('console/people/users')
export class PeopleUsersController {
  constructor(
    private readonly users: UsersService,
    private readonly units: OrgUnitsService,
    private readonly pages: PageRenderer,
  ) {}

  @Get()
  async list(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Query() raw: Record<string, string | undefined>,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const filters = this.filtersOf(raw ?? {});
    const all = await this.units.listSubtree(actor.orgPath);
    const names = new Map(all.map((u) => [u.id, u.name]));
    const query = Object.assign(new ListUsersQueryDto(), {
      page: filters.page,
      pageSize: PAGE_SIZE,
      ...(filters.q ? { q: filters.q } : {}),
      ...(filters.role ? { role: filters.role } : {}),
      ...(filters.orgUnitId ? { orgUnitId: filters.orgUnitId } : {}),
      ...(filters.active ? { active: filters.active === 'true' } : {}),
    });
    const found = await this.users.list(actor, query);
    const view = {
      title: t('people_usersTitle'),
      section: 'people' as const,
      tabs: peopleTabs(this.pages, context, 'users'),
      done: doneNotice(this.pages, context.lang, 'people_done_', raw?.done),
      filters,
      roles: choices(this.pages, context, 'role', filters.role),
      units: unitChoices(all, all.find((u) => u.id === actor.orgUnitId)?.depth ?? 0, filters.orgUnitId),
      statuses: [
        { value: 'true', label: t('people_active'), selected: filters.active === 'true' },
        { value: 'false', label: t('people_inactive'), selected: filters.active === 'false' },
      ],
      total: found.total,
      filtered: !!(filters.q || filters.role || filters.orgUnitId || filters.active),
      items: found.items.map((u) => ({
        id: u.id,
        href: `/console/people/users/${u.id}`,
        editLabel: t('people_editNamed', { name: u.displayName }),
        displayName: u.displayName,
        username: u.username,
        role: t(`people_role_${u.role}`),
        unit: names.get(u.orgUnitId) ?? '',
        phone: u.phone,
        active: u.active,
      })),
      pager: consolePager(
        '/console/people/users',
        { ...filters, page: undefined },
        {
          page: filters.page,
          pageSize: PAGE_SIZE,
          total: found.total,
        },
      ),
      newHref: filters.orgUnitId
        ? `/console/people/users/new?orgUnitId=${filters.orgUnitId}`
        : '/console/people/users/new',
    };
    this.pages.send(request, reply, 'console/people-users', context, view);
  }

  @Get('new')
  async newUser(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Query('orgUnitId') orgUnitId?: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const values = Object.fromEntries(USER_FIELDS.map((f) => [f, ''])) as UserValues;
    values.role = 'trainee';
    values.orgUnitId = typeof orgUnitId === 'string' ? orgUnitId.toLowerCase() : '';
    await this.showNew(request, reply, context, values, {}, null, 200);
  }

  @FormPost('new')
  async create(@Req() request: PageRequest, @Res() reply: FastifyReply, @Body() body: FormFields): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const values = this.valuesOf(body ?? {});
    const plain: Record<string, unknown> = {};
    for (const f of USER_FIELDS) {
      // Optional fields left empty are left out, as a client of the API would.
      if (values[f] !== '' || ['username', 'password', 'displayName', 'role', 'orgUnitId'].includes(f)) {
        plain[f] = f === 'password' ? (body?.password ?? '') : values[f];
      }
    }
    const { dto, problems } = await checkForm(CreateUserDto, plain);
    const errors = this.fieldErrors(context, problems);
    let refusal: string | null = null;
    if (Object.keys(errors).length === 0) {
      try {
        const user = await this.users.create(actor, dto);
        void reply.redirect(`/console/people/users/${user.id}?done=userCreated`, 303);
        return;
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        refusal = this.placeRefusal(context, e, errors);
      }
    }
    values.password = '';
    await this.showNew(request, reply, context, values, errors, refusal, 400);
  }

  @Get(':id')
  async show(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(UserErrors.notFound)) id: string,
    @Query('done') done?: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const user = await this.users.getVisible(request.user!, id);
    await this.showUser(request, reply, context, user, this.valuesFrom(user), {}, null, 200, done);
  }

  @FormPost(':id')
  async update(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(UserErrors.notFound)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const user = await this.users.getVisible(actor, id);
    const values = { ...this.valuesOf(body ?? {}), username: user.username, password: '' };
    const self = actor.id === user.id;
    const editable: UserField[] = self
      ? (SELF_EDITABLE as UserField[])
      : ['displayName', 'role', 'orgUnitId', 'phone', 'email', 'education', 'proficiency'];
    const plain: Record<string, unknown> = {};
    // Empty optional fields clear what was there (null), as `PATCH /api/users/:id` takes it.
    for (const f of editable) {
      plain[f] = values[f] === '' && ['phone', 'email', 'education', 'proficiency'].includes(f) ? null : values[f];
    }
    const { dto, problems } = await checkForm(UpdateUserDto, plain);
    const errors = this.fieldErrors(context, problems);
    let refusal: string | null = null;
    if (Object.keys(errors).length === 0) {
      try {
        await this.users.update(actor, user.id, dto);
        void reply.redirect(`/console/people/users/${user.id}?done=userSaved`, 303);
        return;
      } catch (e) {
        if (!(e instanceof DomainError) || e.code === 'USER_NOT_FOUND') throw e;
        refusal = this.placeRefusal(context, e, errors);
      }
    }
    await this.showUser(request, reply, context, user, values, errors, refusal, 400);
  }

  @FormPost(':id/password')
  async setPassword(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(UserErrors.notFound)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const user = await this.users.getVisible(actor, id);
    const { dto, problems } = await checkForm(UpdateUserDto, { password: body?.password ?? '' });
    const errors: Record<string, string> = {};
    if (problems.password) errors.newPassword = this.pages.t(context.lang, 'people_err_password');
    let refusal: string | null = null;
    if (!errors.newPassword) {
      try {
        await this.users.update(actor, user.id, dto);
        void reply.redirect(`/console/people/users/${user.id}?done=passwordSet`, 303);
        return;
      } catch (e) {
        if (!(e instanceof DomainError) || e.code === 'USER_NOT_FOUND') throw e;
        refusal = this.pages.errorMessage(context.lang, e);
      }
    }
    await this.showUser(request, reply, context, user, this.valuesFrom(user), errors, refusal, 400);
  }

  @FormPost(':id/active')
  async setActive(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(UserErrors.notFound)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const user = await this.users.getVisible(actor, id);
    const active = body?.active === 'true' ? true : body?.active === 'false' ? false : undefined;
    if (active === undefined) {
      const refusal = this.pages.t(context.lang, 'people_err_activeChoice');
      return this.showUser(request, reply, context, user, this.valuesFrom(user), {}, refusal, 400);
    }
    try {
      await this.users.update(actor, user.id, { active });
      void reply.redirect(`/console/people/users/${user.id}?done=${active ? 'reactivated' : 'deactivated'}`, 303);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'USER_NOT_FOUND') throw e;
      const refusal = this.pages.errorMessage(context.lang, e);
      await this.showUser(request, reply, context, user, this.valuesFrom(user), {}, refusal, 409);
    }
  }

  private async showNew(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    values: UserValues,
    errors: Record<string, string>,
    refusal: string | null,
    status: number,
  ): Promise<void> {
    const t = (key: string) => this.pages.t(context.lang, key);
    const view = {
      title: t('people_newUserTitle'),
      section: 'people' as const,
      tabs: peopleTabs(this.pages, context, 'users'),
      action: '/console/people/users/new',
      creating: true,
      refusal,
      form: await this.formView(request.user!, context, values, errors),
    };
    this.pages.send(request, reply, 'console/people-user', context, view, status);
  }

  private async showUser(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    user: User,
    values: UserValues,
    errors: Record<string, string>,
    refusal: string | null,
    status: number,
    done?: string,
  ): Promise<void> {
    const actor = request.user!;
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const self = actor.id === user.id;
    const unit = await this.units.getVisible(actor, user.orgUnitId).catch(() => undefined);
    const view = {
      title: user.displayName,
      section: 'people' as const,
      tabs: peopleTabs(this.pages, context, 'users'),
      done: doneNotice(this.pages, context.lang, 'people_done_', done),
      refusal,
      action: `/console/people/users/${user.id}`,
      creating: false,
      self,
      // Not `user`: that is the signed-in admin (the layout's).
      account: {
        id: user.id,
        displayName: user.displayName,
        username: user.username,
        role: t(`people_role_${user.role}`),
        unit: unit?.name ?? '',
        active: user.active,
        passwordAction: `/console/people/users/${user.id}/password`,
        activeAction: `/console/people/users/${user.id}/active`,
      },
      newPasswordError: errors.newPassword,
      form: await this.formView(actor, context, values, errors, self),
    };
    this.pages.send(request, reply, 'console/people-user', context, view, status);
  }

  /** The user form's values, choices and errors (a user on itself: role and unit as text only). */
  private async formView(
    actor: AuthUser,
    context: PageContext,
    values: UserValues,
    errors: Record<string, string>,
    self = false,
  ) {
    const all: OrgUnit[] = await this.units.listSubtree(actor.orgPath);
    const rootDepth = all.find((u) => u.id === actor.orgUnitId)?.depth ?? 0;
    const shown = Object.fromEntries(Object.entries(errors).filter(([field]) => field !== 'newPassword'));
    return {
      values,
      ...errorsInWords(this.pages, context, shown),
      self,
      roles: choices(this.pages, context, 'role', values.role),
      units: unitChoices(all, rootDepth, values.orgUnitId),
      educations: choices(this.pages, context, 'education', values.education),
      proficiencies: choices(this.pages, context, 'proficiency', values.proficiency),
    };
  }

  private fieldErrors(context: PageContext, problems: Record<string, string>): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const field of Object.keys(problems)) {
      const key = FIELD_ERROR[field as UserField] ?? 'people_err_choice';
      errors[field] = this.pages.t(context.lang, key);
    }
    return errors;
  }

  /** A service's refusal beside its field (a taken username, a unit outside the scope), else above the form. */
  private placeRefusal(context: PageContext, e: DomainError, errors: Record<string, string>): string | null {
    const words = this.pages.errorMessage(context.lang, e);
    if (e.code === 'USERNAME_TAKEN') errors.username = words;
    else if (e.code === 'ORG_UNIT_NOT_FOUND') errors.orgUnitId = words;
    else return words;
    return null;
  }

  private valuesOf(body: FormFields): UserValues {
    const values = Object.fromEntries(USER_FIELDS.map((f) => [f, text(body[f])])) as UserValues;
    values.orgUnitId = values.orgUnitId.toLowerCase();
    return values;
  }

  private valuesFrom(user: User): UserValues {
    return {
      username: user.username,
      password: '',
      displayName: user.displayName,
      role: user.role,
      orgUnitId: user.orgUnitId,
      phone: user.phone ?? '',
      email: user.email ?? '',
      education: user.education ?? '',
      proficiency: user.proficiency ?? '',
    };
  }

  private filtersOf(raw: Record<string, string | undefined>): Filters {
    const q = text(raw.q).slice(0, 64);
    const role = ['admin', 'trainer', 'trainee'].includes(raw.role ?? '') ? raw.role! : '';
    const orgUnitId = /^[0-9a-f-]{36}$/i.test(raw.orgUnitId ?? '') ? raw.orgUnitId!.toLowerCase() : '';
    const active = raw.active === 'true' || raw.active === 'false' ? raw.active : '';
    const page = pageParam(raw.page) ?? 1;
    return { q, role, orgUnitId, active, page };
  }
}
