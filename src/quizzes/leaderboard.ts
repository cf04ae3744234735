import { createHash } from 'node:crypto';

/** A trainee's best finished attempt of a contest, as the leaderboard query picks it. */
export interface BestAttempt {
  traineeId: string;
  displayName: string;
  /** The township the trainee represented when starting that attempt; null if it had none. */
  townshipId: string | null;
  townshipName: string | null;
  score: number;
  maxScore: number;
  percent: number;
  /** The trainee's highest percent over all its finished attempts: what its township's mean counts. */
  bestPercent: number;
  startedAt: Date;
  finishedAt: Date;
}

export interface RankedTrainee {
  rank: number;
  traineeId: string;
  displayName: string;
  townshipId: string | null;
  townshipName: string | null;
  score: number;
  maxScore: number;
  percent: number;
  timeTakenSeconds: number;
  finishedAt: Date;
}

export interface RankedTownship {
  rank: number;
  townshipId: string;
  name: string;
  trainees: number;
  meanPercent: number;
}

const round7 = (x: number): number => Math.round(x * 1e7) / 1e7;
const taken = (a: BestAttempt): number => a.finishedAt.getTime() - a.startedAt.getTime();

/**
 * Orders best attempts as the contest ranks them: higher score, then shorter time taken
 * (finishedAt − startedAt), then earlier finish. Negative when `a` ranks above `b`; 0 when
 * they share a rank.
 */
export function compareAttempts(a: BestAttempt, b: BestAttempt): number {
  return b.score - a.score || taken(a) - taken(b) || a.finishedAt.getTime() - b.finishedAt.getTime();
}

/**
 * Competition ranking ("1, 1, 3"): items equal under `same` share the rank of the first of
 * them, and the next item's rank counts everyone above it. `sorted` must already be ordered.
 */
export function competitionRanks<T>(sorted: readonly T[], same: (a: T, b: T) => boolean): number[] {
  const ranks: number[] = [];
  sorted.forEach((item, i) => ranks.push(i > 0 && same(sorted[i - 1], item) ? ranks[i - 1] : i + 1));
  return ranks;
}

/** Trainees by their best attempt; equal on score, time taken and finish they share a rank (listed by name). */
export function rankTrainees(best: readonly BestAttempt[]): RankedTrainee[] {
  const sorted = [...best].sort(
    (a, b) =>
      compareAttempts(a, b) ||
      a.displayName.localeCompare(b.displayName, 'zh-CN') ||
      a.traineeId.localeCompare(b.traineeId),
  );
  const ranks = competitionRanks(sorted, (a, b) => compareAttempts(a, b) === 0);
  return sorted.map((a, i) => ({
    rank: ranks[i],
    traineeId: a.traineeId,
    displayName: a.displayName,
    townshipId: a.townshipId,
    townshipName: a.townshipName,
    score: a.score,
    maxScore: a.maxScore,
    percent: a.percent,
    timeTakenSeconds: taken(a) / 1000,
    finishedAt: a.finishedAt,
  }));
}

/**
 * Townships by the mean of their trainees' best percents (percent, not score: a random draw
 * can give attempts different maximum scores), rounded to 7 decimals; equal means share a
 * rank (listed by name). Trainees whose attempt had no township count for none.
 */
export function rankTownships(best: readonly BestAttempt[]): RankedTownship[] {
  const groups = new Map<string, { name: string; percents: number[] }>();
  for (const a of best) {
    if (a.townshipId === null) continue;
    const g = groups.get(a.townshipId) ?? { name: a.townshipName ?? '', percents: [] };
    g.percents.push(a.bestPercent);
    groups.set(a.townshipId, g);
  }
  const sorted = [...groups]
    .map(([townshipId, g]) => ({
      townshipId,
      name: g.name,
      trainees: g.percents.length,
      meanPercent: round7(g.percents.reduce((s, p) => s + p, 0) / g.percents.length),
    }))
    .sort(
      (a, b) =>
        b.meanPercent - a.meanPercent ||
        a.name.localeCompare(b.name, 'zh-CN') ||
        a.townshipId.localeCompare(b.townshipId),
    );
  const ranks = competitionRanks(sorted, (a, b) => a.meanPercent === b.meanPercent);
  return sorted.map((t, i) => ({ rank: ranks[i], ...t }));
}

/** A strong ETag of a JSON answer: the SHA-256 of its serialisation, quoted. */
export function etagOf(body: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url')}"`;
}

/**
 * Whether an `If-None-Match` header matches the current ETag (RFC 9110: weak comparison, a
 * list of tags or `*`), so the answer can be 304 Not Modified.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}
