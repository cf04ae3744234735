import { Body, Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../../common/auth/auth-user';
import { DomainError } from '../../common/errors/domain-error';
import { CreateOrgUnitDto, UpdateOrgUnitDto } from '../../org-units/dto/org-unit.dto';
import { OrgUnitErrors } from '../../org-units/org-units.errors';
import { OrgUnitsService } from '../../org-units/org-units.service';
import type { OrgUnit } from '../../org-units/org-units.types';
import { ListUsersQueryDto } from '../../users/dto/user.dto';
import type { User } from '../../users/user.types';
import { UsersService } from '../../users/users.service';
import type { FormFields } from '../forms';
import { PageId } from '../page-id.pipe';
import { type PageContext, PageRenderer } from '../page-renderer';
import { FormPost } from '../web-pages.decorator';
import { pageContextOf, type PageRequest } from '../web-session.guard';
import { doneNotice } from './console-common';
import { ConsolePages } from './console-pages.decorator';
import { checkForm, choices, errorsInWords, kindBelow, peopleTabs, text, treeOrder, unitChoices } from './people-pages';

/** The add-unit form as typed, and what is wrong with it (words by field). */
interface UnitForm {
  parentId: string;
  kind: string;
  name: string;
  code: string;
  errors: Record<string, string>;
  /** A refusal of the service that belongs to no one field. */
  refusal?: string;
}

/** Users of one unit read at most for its contacts' choices (a township's own staff: a handful). */
const MEMBERS_SHOWN = 500;

/**
 * 学员与组织 · 组织架构: the admin's part of the organisation tree (county → townships → villages)
 * with each unit's kind, code and number of users; adding a unit under any of them (a new
 * admin's first task, from an empty county), a unit's page to rename it or change its code or
 * kind, its contacts (townships and villages), and deleting it after a confirmation. Every
 * change is OrgUnitsService's, as `POST/PATCH/DELETE /api/org-units` and
 * `PUT /api/org-units/:id/contacts`, with their scope (404 outside it) and their refusals.
 */
@ConsolePages()
@Controller('console/people')
export class PeopleUnitsController {
  constructor(
    private readonly units: OrgUnitsService,
    private readonly users: UsersService,
    private readonly pages: PageRenderer,
  ) {}

  @Get()
  async tree(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Query('parentId') parentId?: string,
    @Query('done') done?: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const all = await this.units.listSubtree(actor.orgPath);
    const parent = all.find((u) => u.id === parentId) ?? all.find((u) => u.id === actor.orgUnitId) ?? all[0];
    const form: UnitForm = {
      parentId: parent?.id ?? '',
      kind: parent ? kindBelow(parent.kind) : 'township',
      name: '',
      code: '',
      errors: {},
    };
    await this.showTree(
      request,
      reply,
      context,
      actor,
      all,
      form,
      200,
      doneNotice(this.pages, context.lang, 'people_done_', done) ?? null,
    );
  }

  @FormPost('units')
  async create(@Req() request: PageRequest, @Res() reply: FastifyReply, @Body() body: FormFields): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const t = (key: string) => this.pages.t(context.lang, key);
    const form: UnitForm = {
      parentId: text(body?.parentId),
      kind: text(body?.kind),
      name: text(body?.name),
      code: text(body?.code),
      errors: {},
    };
    const { dto, problems } = await checkForm(CreateOrgUnitDto, {
      kind: form.kind,
      name: form.name,
      parentId: form.parentId,
      ...(form.code ? { code: form.code } : {}),
    });
    if (problems.kind) form.errors.kind = t('people_err_unitKind');
    if (problems.parentId) form.errors.parentId = t('people_err_unitParent');
    if (problems.name)
      form.errors.name = t(problems.name === 'maxLength' ? 'people_err_nameLong' : 'people_err_unitName');
    if (problems.code) form.errors.code = t('people_err_unitCode');
    if (Object.keys(form.errors).length === 0) {
      try {
        const unit = await this.units.create(actor, dto);
        void reply.redirect(`/console/people?done=unitAdded#unit-${unit.id}`, 303);
        return;
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        this.unitRefusal(context, e, form);
      }
    }
    const all = await this.units.listSubtree(actor.orgPath);
    await this.showTree(request, reply, context, actor, all, form, 400, null);
  }

  @Get('units/:id')
  async unit(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(OrgUnitErrors.notFound)) id: string,
    @Query('done') done?: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const unit = await this.units.getInScope(request.user!, id);
    const form: UnitForm = { parentId: '', kind: unit.kind, name: unit.name, code: unit.code ?? '', errors: {} };
    await this.showUnit(
      request,
      reply,
      context,
      unit,
      form,
      200,
      doneNotice(this.pages, context.lang, 'people_done_', done) ?? null,
    );
  }

  @FormPost('units/:id')
  async update(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(OrgUnitErrors.notFound)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const t = (key: string) => this.pages.t(context.lang, key);
    const unit = await this.units.getInScope(actor, id);
    const form: UnitForm = {
      parentId: '',
      kind: text(body?.kind) || unit.kind,
      name: text(body?.name),
      code: text(body?.code),
      errors: {},
    };
    // A code cannot be taken away through the API (it is unique, never null): an empty field keeps it.
    const { dto, problems } = await checkForm(UpdateOrgUnitDto, {
      name: form.name,
      kind: form.kind,
      ...(form.code ? { code: form.code } : {}),
    });
    if (problems.kind) form.errors.kind = t('people_err_unitKind');
    if (problems.name)
      form.errors.name = t(problems.name === 'maxLength' ? 'people_err_nameLong' : 'people_err_unitName');
    if (problems.code) form.errors.code = t('people_err_unitCode');
    if (Object.keys(form.errors).length === 0) {
      try {
        // The admin's own unit keeps its kind (the service refuses a change: OWN_ORG_UNIT).
        if (unit.id === actor.orgUnitId && dto.kind === unit.kind) delete dto.kind;
        await this.units.update(actor, unit.id, dto);
        void reply.redirect(`/console/people/units/${unit.id}?done=unitSaved`, 303);
        return;
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        this.unitRefusal(context, e, form);
      }
    }
    await this.showUnit(request, reply, context, await this.units.getInScope(actor, id), form, 400, null);
  }

  /** What deleting the unit means, and the button that does it. */
  @Get('units/:id/delete')
  async confirmDelete(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(OrgUnitErrors.notFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const unit = await this.units.getInScope(request.user!, id);
    this.showDelete(request, reply, context, unit, null, 200);
  }

  @FormPost('units/:id/delete')
  async remove(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(OrgUnitErrors.notFound)) id: string,
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const unit = await this.units.getInScope(actor, id);
    try {
      await this.units.remove(actor, unit.id);
      void reply.redirect('/console/people?done=unitDeleted', 303);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'ORG_UNIT_NOT_FOUND') throw e;
      const refusal = this.pages.refusal(context.lang, e, 'people_');
      this.showDelete(request, reply, context, unit, refusal, 409);
    }
  }

  @FormPost('units/:id/contacts')
  async addContact(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(OrgUnitErrors.notFound)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    await this.changeContacts(request, reply, id, text(body?.userId), 'add');
  }

  @FormPost('units/:id/contacts/remove')
  async removeContact(
    @Req() request: PageRequest,
    @Res() reply: FastifyReply,
    @Param('id', PageId(OrgUnitErrors.notFound)) id: string,
    @Body() body: FormFields,
  ): Promise<void> {
    await this.changeContacts(request, reply, id, text(body?.userId), 'remove');
  }

  /** Adds a contact at the end of the list, or takes one out: the list set as a whole, as the API does. */
  private async changeContacts(
    request: PageRequest,
    reply: FastifyReply,
    id: string,
    userId: string,
    change: 'add' | 'remove',
  ): Promise<void> {
    const context = pageContextOf(request);
    const actor = request.user!;
    const unit = await this.units.getInScope(actor, id);
    const current = ((await this.units.contactsOf([unit.id])).get(unit.id) ?? []).map((c) => c.userId);
    const form: UnitForm = { parentId: '', kind: unit.kind, name: unit.name, code: unit.code ?? '', errors: {} };
    if (!/^[0-9a-f-]{36}$/i.test(userId)) {
      form.errors.contact = this.pages.t(context.lang, 'people_err_contactChoose');
      return this.showUnit(request, reply, context, unit, form, 400, null);
    }
    const chosen = userId.toLowerCase();
    const next =
      change === 'add' ? [...current.filter((c) => c !== chosen), chosen] : current.filter((c) => c !== chosen);
    try {
      await this.units.setContacts(actor, unit.id, next);
      void reply.redirect(
        `/console/people/units/${unit.id}?done=${change === 'add' ? 'contactAdded' : 'contactRemoved'}`,
        303,
      );
    } catch (e) {
      if (!(e instanceof DomainError) || e.code === 'ORG_UNIT_NOT_FOUND') throw e;
      form.errors.contact = this.pages.errorMessage(context.lang, e);
      await this.showUnit(request, reply, context, unit, form, 400, null);
    }
  }

  /** A service's refusal beside the field it is about, else above the form. */
  private unitRefusal(context: PageContext, e: DomainError, form: UnitForm): void {
    const words = this.pages.errorMessage(context.lang, e);
    if (e.code === 'ORG_UNIT_KIND_ORDER') form.errors.kind = words;
    else if (e.code === 'ORG_UNIT_CODE_TAKEN') form.errors.code = words;
    else if (e.code === 'ORG_UNIT_NOT_FOUND') form.errors.parentId = words;
    else form.refusal = words;
  }

  private async showTree(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    actor: AuthUser,
    all: OrgUnit[],
    form: UnitForm,
    status: number,
    done: string | null,
  ): Promise<void> {
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const counts = await this.users.countByUnit(actor.orgPath);
    const ordered = treeOrder(all);
    const rootDepth = ordered[0]?.depth ?? 0;
    const byParent = new Map<string | null, OrgUnit[]>();
    const ids = new Set(all.map((u) => u.id));
    for (const u of ordered) {
      const parent = u.parentId && ids.has(u.parentId) ? u.parentId : null;
      byParent.set(parent, [...(byParent.get(parent) ?? []), u]);
    }
    const node = (u: OrgUnit): Record<string, unknown> => ({
      id: u.id,
      name: u.name,
      code: u.code,
      kind: t(`people_kind_${u.kind}`),
      users: t('people_usersCount', { count: counts.get(u.id) ?? 0 }),
      usersHref: `/console/people/users?orgUnitId=${u.id}`,
      addHref: u.kind === 'village' ? null : `/console/people?parentId=${u.id}#add-unit`,
      addLabel: t('people_addUnder', { name: u.name }),
      children: (byParent.get(u.id) ?? []).map(node),
    });
    const roots = (byParent.get(null) ?? []).map(node);
    const townships = all.filter((u) => u.kind === 'township').length;
    const view = {
      title: t('people_title'),
      section: 'people' as const,
      tabs: peopleTabs(this.pages, context, 'units'),
      done,
      roots,
      unitCount: all.length,
      empty: all.length <= 1,
      townships,
      form: {
        ...form,
        ...errorsInWords(this.pages, context, form.errors),
        parents: unitChoices(all, rootDepth, form.parentId, (u) => u.kind !== 'village'),
        kinds: choices(this.pages, context, 'kind', form.kind).filter((k) => k.value !== 'province'),
      },
    };
    this.pages.send(request, reply, 'console/people', context, view, status);
  }

  private async showUnit(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    unit: OrgUnit,
    form: UnitForm,
    status: number,
    done: string | null,
  ): Promise<void> {
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const actor = request.user!;
    const hasContacts = unit.kind === 'township' || unit.kind === 'village';
    const contacts = hasContacts ? ((await this.units.contactsOf([unit.id])).get(unit.id) ?? []) : [];
    const members = hasContacts ? await this.membersOf(actor, unit.id) : [];
    const contactIds = new Set(contacts.map((c) => c.userId));
    const children = (await this.units.listSubtree(unit.path)).filter((u) => u.parentId === unit.id);
    const counts = await this.users.countByUnit(unit.path);
    const own = unit.id === actor.orgUnitId;
    const view = {
      title: unit.name,
      section: 'people' as const,
      tabs: peopleTabs(this.pages, context, 'units'),
      done,
      unit: {
        id: unit.id,
        name: unit.name,
        code: unit.code,
        kind: t(`people_kind_${unit.kind}`),
        users: t('people_usersCount', { count: counts.get(unit.id) ?? 0 }),
        usersHref: `/console/people/users?orgUnitId=${unit.id}`,
        addHref: unit.kind === 'village' ? null : `/console/people?parentId=${unit.id}#add-unit`,
        newUserHref: `/console/people/users/new?orgUnitId=${unit.id}`,
        deleteHref: own ? null : `/console/people/units/${unit.id}/delete`,
        own,
      },
      form: {
        ...form,
        ...errorsInWords(this.pages, context, form.errors),
        action: `/console/people/units/${unit.id}`,
        kinds: own ? null : choices(this.pages, context, 'kind', form.kind).filter((k) => k.value !== 'province'),
      },
      hasContacts,
      contacts: contacts.map((c) => ({
        ...c,
        removeLabel: t('people_contactRemoveNamed', { name: c.displayName }),
      })),
      candidates: members
        .filter((m) => !contactIds.has(m.id))
        .map((m) => ({ value: m.id, label: m.phone ? `${m.displayName}（${m.phone}）` : m.displayName })),
      contactAction: `/console/people/units/${unit.id}/contacts`,
      children: children.map((c) => ({ id: c.id, name: c.name, kind: t(`people_kind_${c.kind}`) })),
    };
    this.pages.send(request, reply, 'console/people-unit', context, view, status);
  }

  private showDelete(
    request: PageRequest,
    reply: FastifyReply,
    context: PageContext,
    unit: OrgUnit,
    refusal: { message: string; next: string } | null,
    status: number,
  ): void {
    const t = (key: string, args = {}) => this.pages.t(context.lang, key, args);
    const view = {
      title: t('people_deleteTitle', { name: unit.name }),
      section: 'people' as const,
      tabs: peopleTabs(this.pages, context, 'units'),
      name: unit.name,
      kind: t(`people_kind_${unit.kind}`),
      refusal,
      action: `/console/people/units/${unit.id}/delete`,
      back: `/console/people/units/${unit.id}`,
    };
    this.pages.send(request, reply, 'console/people-unit-delete', context, view, status);
  }

  /** The active users of the unit itself (not of the units under it): who may be its contacts. */
  private async membersOf(actor: AuthUser, unitId: string): Promise<User[]> {
    const out: User[] = [];
    for (let page = 1; out.length < MEMBERS_SHOWN; page++) {
      const query = Object.assign(new ListUsersQueryDto(), { page, pageSize: 100, orgUnitId: unitId, active: true });
      const found = await this.users.list(actor, query);
      out.push(...found.items.filter((u) => u.orgUnitId === unitId));
      if (page * 100 >= found.total) break;
    }
    return out;
  }
}
