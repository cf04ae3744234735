import { createHash } from 'node:crypto';
import type { LeaderboardDto } from '../quizzes/dto/quiz-results.dto';
import { percentText, scoreText } from './local-words';

/** Where a contest stands now: not yet open, open for answers, or closed. */
export type ContestState = 'upcoming' | 'open' | 'closed';

export function contestState(quiz: { opensAt: Date; closesAt: Date }, now: Date): ContestState {
  if (now < quiz.opensAt) return 'upcoming';
  return now < quiz.closesAt ? 'open' : 'closed';
}

/**
 * The live page's ETag: the leaderboard's own tag (QuizResultsService's, quoted) with a
 * suffix for what else the page shows (language, state, viewer, form token), so that a poll
 * can be answered 304 from the service's one small count, before any board or page is built.
 */
export function pageEtag(boardEtag: string, suffix: string): string {
  return `"${boardEtag.replace(/^"|"$/g, '')}.${suffix}"`;
}

/** The suffix of pageEtag for what the page shows besides the board. */
export function pageEtagSuffix(parts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

/**
 * The board's tag hidden in an `If-None-Match` of this page's tags with this `suffix`
 * (quoted, as the service compares it), or undefined when none of them has it: the page
 * around the board changed (or the header is no tag of ours), so the board must be built.
 */
export function boardTagOf(ifNoneMatch: string | undefined, suffix: string): string | undefined {
  if (!ifNoneMatch) return undefined;
  for (const raw of ifNoneMatch.split(',')) {
    const match = /^(?:W\/)?"([A-Za-z0-9_-]{1,100})\.([A-Za-z0-9_-]{16})"$/.exec(raw.trim());
    if (match && match[2] === suffix) return `"${match[1]}"`;
  }
  return undefined;
}

/** `3:05` (minutes:seconds), or `1:02:05` past an hour. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** The board's rows as the template shows them. */
export function boardView(board: LeaderboardDto) {
  return {
    finished: board.trainees.length,
    trainees: board.trainees.map((r) => ({
      rank: r.rank,
      name: r.displayName,
      township: r.townshipName,
      score: scoreText(r.score),
      maxScore: scoreText(r.maxScore),
      time: duration(r.timeTakenSeconds),
    })),
    townships: board.townships.map((r) => ({
      rank: r.rank,
      name: r.name,
      trainees: r.trainees,
      percent: percentText(r.meanPercent),
    })),
  };
}
