import type { FastifyReply, FastifyRequest } from 'fastify';

/** 标准 / 大 / 特大: the text sizes a person can pick on 我的. */
export const TEXT_SIZES = ['standard', 'large', 'xlarge'] as const;
export type TextSize = (typeof TEXT_SIZES)[number];

/**
 * The cookie keeping the chosen text size: on the phone itself, for every page (the login page
 * too, before anyone is signed in), for a year. A phone is usually one person's, and how big
 * text must be depends on that screen as much as on the eyes; a user column would need a query
 * on pages without a session and a migration, for little gain.
 */
export const TEXT_SIZE_COOKIE = 'lms_text';
const ONE_YEAR_SECONDS = 365 * 86_400;

export function isTextSize(value: unknown): value is TextSize {
  return typeof value === 'string' && (TEXT_SIZES as readonly string[]).includes(value);
}

/** The text size a request's browser chose (standard when none, or one we do not know). */
export function textSizeOf(request: FastifyRequest): TextSize {
  const value = request.cookies?.[TEXT_SIZE_COOKIE];
  return isTextSize(value) ? value : 'standard';
}

/** Keeps `size` on this phone (standard clears the cookie). */
export function setTextSize(request: FastifyRequest, reply: FastifyReply, size: TextSize): void {
  const options = {
    httpOnly: true,
    sameSite: 'lax' as const,
    path: '/',
    secure: request.protocol === 'https',
  };
  if (size === 'standard') void reply.clearCookie(TEXT_SIZE_COOKIE, options);
  else void reply.setCookie(TEXT_SIZE_COOKIE, size, { ...options, maxAge: ONE_YEAR_SECONDS });
}

/** The <body> class of a text size (none for standard): app.css zooms the page for it. */
export function textSizeClass(size: TextSize | undefined): string | undefined {
  return size && size !== 'standard' ? `text-${size}` : undefined;
}
