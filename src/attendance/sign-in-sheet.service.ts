import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { AuthUser } from '../common/auth/auth-user';
import { maskDigits } from '../common/logging/logging';
import { PdfService } from '../common/pdf/pdf.service';
import { isWithin } from '../org-units/org-units.service';
import { SessionsService } from '../classes/sessions.service';
import { Env } from '../config/env';
import { EnrolmentsService, type EnrolledTrainee } from '../enrolments/enrolments.service';
import { AttendanceErrors } from './attendance.errors';
import type { SignInSheetData } from './sign-in-sheet.layout';

/** The layout module the PDF worker draws with. */
const LAYOUT = require.resolve('./sign-in-sheet.layout');

/** Chinese names in pinyin order, numbers by value (学员2 before 学员10). */
const byName = new Intl.Collator('zh-Hans-CN-u-co-pinyin', { numeric: true });

/**
 * The printable sign-in sheet of a session: the trainees holding a seat, grouped by
 * township, with a column to sign (phone numbers masked: sheets get passed around).
 */
@Injectable()
export class SignInSheetService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly enrolments: EnrolmentsService,
    private readonly pdf: PdfService,
    private readonly env: Env,
  ) {}

  async render(actor: AuthUser, sessionId: string): Promise<{ filename: string; pdf: Buffer }> {
    const { s, c } = await this.sessions.getWithClass(sessionId);
    const mayRead =
      (actor.role === 'admin' && isWithin(c.planPath, actor.orgPath)) ||
      (actor.role === 'trainer' && c.trainerIds.includes(actor.id));
    if (!mayRead) throw AttendanceErrors.sessionNotFound();
    const details = await this.sessions.labels(sessionId);
    const trainees = await this.enrolments.seated(c.entity.id);
    const start = DateTime.fromJSDate(s.startsAt, { zone: this.env.TZ_DEFAULT });
    const end = DateTime.fromJSDate(s.endsAt, { zone: this.env.TZ_DEFAULT });
    const when = `${start.toFormat('yyyy年M月d日 HH:mm')}–${end.toFormat('HH:mm')}`;
    const title = `${c.entity.title} 签到表`;
    const data: SignInSheetData = {
      title,
      details: [
        [
          `时间：${when}`,
          `地点：${details.venue ?? '—'}`,
          `授课：${details.trainer ?? '—'}`,
          s.status === 'cancelled' ? '（本次课已取消）' : '',
        ]
          .filter(Boolean)
          .join('    '),
        ...(s.topic ? [`主题：${s.topic}`] : []),
      ],
      footer: `${c.entity.title} · ${when}`,
      townships: groupByTownship(trainees),
    };
    const pdf = await this.pdf.render(LAYOUT, data, { title });
    return { filename: `${c.entity.title}-签到表-${start.toFormat('yyyyMMdd')}.pdf`, pdf };
  }
}

/** Townships in the roster's order, each with its trainees by name. */
function groupByTownship(list: EnrolledTrainee[]): SignInSheetData['townships'] {
  const groups = new Map<string, { name: string; people: EnrolledTrainee[] }>();
  for (const e of list) {
    const g = groups.get(e.townshipId) ?? { name: e.townshipName, people: [] };
    g.people.push(e);
    groups.set(e.townshipId, g);
  }
  return [...groups.values()].map((g) => ({
    name: g.name,
    trainees: g.people
      .sort((a, b) => byName.compare(a.displayName, b.displayName))
      .map((e) => ({ name: e.displayName, phone: e.phone ? maskDigits(e.phone) : '' })),
  }));
}
