import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { PersonTimesService } from '../attendance/person-times.service';
import { TransactionService } from '../common/database/transaction.service';
import type { RotationReportDto } from './dto/rotation.dto';

interface RotationRow {
  township_id: string;
  name: string;
  trainee_id: string | null;
  display_name: string | null;
  trained: boolean | null;
}

const ratio = (part: number, whole: number): number | null => (whole ? Math.round((part / whole) * 1000) / 1000 : null);

/** Reports are SQL a reader can run in psql; the service only shapes the rows. */
@Injectable()
export class ReportsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly personTimes: PersonTimesService,
  ) {}

  /**
   * Annual rotation: every active trainee of each township (its villages included) in the
   * admin's part of the tree, whether it completed a class of that year, and the
   * township's person-times that year (counted live from attendance records).
   */
  async rotation(actor: AuthUser, year: number): Promise<RotationReportDto> {
    const rows = await this.tx.manager.query<RotationRow[]>(
      `SELECT t.id AS township_id, t.name, u.id AS trainee_id, u.display_name,
              EXISTS (SELECT 1 FROM enrolments e JOIN classes c ON c.id = e.class_id JOIN plans p ON p.id = c.plan_id
                       WHERE e.trainee_id = u.id AND e.status = 'completed' AND p.year = $2) AS trained
         FROM org_units t
         LEFT JOIN org_units o ON o.path LIKE t.path || '%'
         LEFT JOIN users u ON u.org_unit_id = o.id AND u.role = 'trainee' AND u.active
        WHERE t.kind = 'township' AND t.path LIKE $1
        ORDER BY t.name, t.id, u.display_name`,
      [`${actor.orgPath}%`, year],
    );
    const personTimesOf = await this.personTimes.byTownship(year, actor.orgPath);
    const townships = new Map<string, RotationReportDto['townships'][number]>();
    for (const r of rows) {
      const t = townships.get(r.township_id) ?? {
        townshipId: r.township_id,
        name: r.name,
        staffCount: 0,
        trained: 0,
        notTrained: [],
        coverage: null,
        personTimes: personTimesOf.get(r.township_id) ?? 0,
      };
      if (r.trainee_id) {
        t.staffCount++;
        if (r.trained) t.trained++;
        else t.notTrained.push({ id: r.trainee_id, displayName: r.display_name ?? '' });
      }
      townships.set(r.township_id, t);
    }
    const list = [...townships.values()].map((t) => ({ ...t, coverage: ratio(t.trained, t.staffCount) }));
    const staffCount = list.reduce((a, t) => a + t.staffCount, 0);
    const trained = list.reduce((a, t) => a + t.trained, 0);
    const personTimes = list.reduce((a, t) => a + t.personTimes, 0);
    return { year, staffCount, trained, coverage: ratio(trained, staffCount), personTimes, townships: list };
  }
}
