import type { EntityManager } from 'typeorm';
import { localDate } from '../common/time/zoned-time';
import { type EventKind, OutreachEvent } from '../events/outreach-event.entity';
import type { OrgUnit } from '../org-units/org-unit.entity';
import type { User } from '../users/user.entity';

/** The demo county's outreach events: what its library did beside the classes (month, day, where, what). */
const DEMO_EVENTS: {
  month: number;
  day: number;
  at: 'county' | 'township' | 'village';
  kind: EventKind;
  title: string;
  headCount: number;
  books?: number;
  discs?: number;
  leaflets?: number;
}[] = [
  { month: 1, day: 18, at: 'county', kind: 'lecture', title: '数字图书馆使用讲座', headCount: 85, leaflets: 120 },
  { month: 3, day: 12, at: 'township', kind: 'screening', title: '春耕科技片放映', headCount: 160, discs: 10 },
  { month: 4, day: 23, at: 'county', kind: 'lecture', title: '世界读书日讲座', headCount: 120, books: 60 },
  { month: 5, day: 20, at: 'village', kind: 'outreach', title: '文化下乡', headCount: 210, books: 300, leaflets: 500 },
  { month: 6, day: 15, at: 'township', kind: 'guidance', title: '服务点设备现场指导', headCount: 12 },
  { month: 8, day: 8, at: 'village', kind: 'screening', title: '露天电影放映', headCount: 180, discs: 15 },
  { month: 9, day: 26, at: 'township', kind: 'outreach', title: '农家书屋图书配送', headCount: 90, books: 400 },
  { month: 11, day: 9, at: 'county', kind: 'lecture', title: '防范电信诈骗讲座', headCount: 140, leaflets: 600 },
];

/**
 * The demo county's outreach events of the current year that have already taken place
 * (lectures at the library, screenings and deliveries in the townships and villages), so the
 * reports count person-times beside the classes. Idempotent: a title already there that year
 * is left as it is.
 */
export async function seedEvents(
  m: EntityManager,
  county: OrgUnit,
  townships: { unit: OrgUnit; villages: OrgUnit[] }[],
  admin: User,
  zone: string,
  now: Date,
): Promise<void> {
  const today = localDate(now, zone);
  const year = today.slice(0, 4);
  const repo = m.getRepository(OutreachEvent);
  for (const [i, e] of DEMO_EVENTS.entries()) {
    const date = `${year}-${String(e.month).padStart(2, '0')}-${String(e.day).padStart(2, '0')}`;
    if (date > today) continue;
    const place = townships[i % townships.length];
    const unit = e.at === 'county' ? county : e.at === 'township' ? place.unit : (place.villages[0] ?? place.unit);
    if (await repo.existsBy({ orgUnitId: unit.id, date, title: e.title })) continue;
    await repo.insert({
      kind: e.kind,
      title: e.title,
      date,
      orgUnitId: unit.id,
      headCount: e.headCount,
      books: e.books ?? 0,
      discs: e.discs ?? 0,
      leaflets: e.leaflets ?? 0,
      createdBy: admin.id,
    });
  }
}
