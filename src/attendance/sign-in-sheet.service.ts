import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { AuthUser } from '../common/auth/auth-user';
import { TransactionService } from '../common/database/transaction.service';
import { maskDigits } from '../common/logging/logging';
import { PdfService } from '../common/pdf/pdf.service';
import { isWithin } from '../org-units/org-units.service';
import { SessionsService } from '../classes/sessions.service';
import { Env } from '../config/env';
import { EnrolmentsService, type SeatedEnrolment } from '../enrolments/enrolments.service';
import { AttendanceErrors } from './attendance.errors';

const COLUMNS = [
  { title: '序号', width: 40 },
  { title: '姓名', width: 110 },
  { title: '手机号', width: 100 },
  { title: '签名', width: 160 },
  { title: '备注', width: 105 },
] as const;
const ROW_HEIGHT = 26;
const HEADER_HEIGHT = 22;

/**
 * The printable sign-in sheet of a session: trainees grouped by township, a column to
 * sign in. Drawn with the shared PdfService (Chinese font embedded).
 */
@Injectable()
export class SignInSheetService {
  constructor(
    private readonly tx: TransactionService,
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
    const [details] = await this.tx.manager.query<{ venue: string | null; trainer: string | null }[]>(
      `SELECT v.name AS venue, u.display_name AS trainer
         FROM sessions s LEFT JOIN venues v ON v.id = s.venue_id LEFT JOIN users u ON u.id = s.trainer_id
        WHERE s.id = $1`,
      [sessionId],
    );
    const trainees = await this.enrolments.seated(c.entity.id);
    const start = DateTime.fromJSDate(s.startsAt, { zone: this.env.TZ_DEFAULT });
    const end = DateTime.fromJSDate(s.endsAt, { zone: this.env.TZ_DEFAULT });
    const when = `${start.toFormat('yyyy年M月d日 HH:mm')}–${end.toFormat('HH:mm')}`;
    const title = `${c.entity.title} 签到表`;
    const pdf = await this.pdf.render({ title }, (doc) => {
      const left = doc.page.margins.left;
      const heading = () => {
        doc.fontSize(16).text(title, { align: 'center' });
        doc.moveDown(0.3).fontSize(10);
        doc.text(
          [
            `时间：${when}`,
            `地点：${details?.venue ?? '—'}`,
            `授课：${details?.trainer ?? '—'}`,
            s.status === 'cancelled' ? '（本次课已取消）' : '',
          ]
            .filter(Boolean)
            .join('    '),
          { align: 'center' },
        );
        if (s.topic) doc.text(`主题：${s.topic}`, { align: 'center' });
        doc.moveDown(0.6);
      };
      const bottom = () => doc.page.height - doc.page.margins.bottom;
      const row = (cells: string[], height: number, bold = false) => {
        const y = doc.y;
        let x = left;
        COLUMNS.forEach((col, i) => {
          doc.rect(x, y, col.width, height).stroke();
          doc.fontSize(bold ? 10.5 : 10).text(cells[i] ?? '', x + 4, y + (height - 12) / 2, {
            width: col.width - 8,
            height,
            ellipsis: true,
            lineBreak: false,
          });
          x += col.width;
        });
        doc.x = left;
        doc.y = y + height;
      };
      const tableHeader = () =>
        row(
          COLUMNS.map((c) => c.title),
          HEADER_HEIGHT,
          true,
        );

      heading();
      if (trainees.length === 0) doc.fontSize(11).text('本班暂无已确认的学员。', left);
      let n = 0;
      for (const [township, group] of groupByTownship(trainees)) {
        if (doc.y + 18 + HEADER_HEIGHT + ROW_HEIGHT > bottom()) doc.addPage();
        doc.fontSize(12).text(`${township}（${group.length} 人）`, left, doc.y + 6);
        doc.moveDown(0.2);
        tableHeader();
        for (const e of group) {
          if (doc.y + ROW_HEIGHT > bottom()) {
            doc.addPage();
            doc.fontSize(12).text(`${township}（续）`, left);
            doc.moveDown(0.2);
            tableHeader();
          }
          row([String(++n), e.displayName, e.phone ? maskDigits(e.phone) : '', '', ''], ROW_HEIGHT);
        }
      }
      const pages = doc.bufferedPageRange();
      for (let i = 0; i < pages.count; i++) {
        doc.switchToPage(pages.start + i);
        const footerY = doc.page.height - doc.page.margins.bottom + 12;
        // The footer sits in the bottom margin; with the margin in place, PDFKit would start a new page.
        doc.page.margins.bottom = 0;
        doc.fontSize(8).text(`${c.entity.title} · ${when} · 第 ${i + 1} / ${pages.count} 页`, left, footerY, {
          align: 'center',
          width: doc.page.width - left - doc.page.margins.right,
          lineBreak: false,
        });
      }
    });
    return { filename: `${c.entity.title}-签到表-${start.toFormat('yyyyMMdd')}.pdf`, pdf };
  }
}

/** Chinese names in pinyin order, numbers by value (学员2 before 学员10). */
const byName = new Intl.Collator('zh-Hans-CN-u-co-pinyin', { numeric: true });

/** Township name and its trainees by name, townships in the roster's order. */
function groupByTownship(list: SeatedEnrolment[]): [string, SeatedEnrolment[]][] {
  const groups = new Map<string, { name: string; trainees: SeatedEnrolment[] }>();
  for (const e of list) {
    const g = groups.get(e.townshipId) ?? { name: e.townshipName, trainees: [] };
    g.trainees.push(e);
    groups.set(e.townshipId, g);
  }
  return [...groups.values()].map((g) => [
    g.name,
    g.trainees.sort((a, b) => byName.compare(a.displayName, b.displayName)),
  ]);
}
