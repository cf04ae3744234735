import type { Env } from '../config/env';

/** The fields of a posted form, as text (the form parser keeps the last value of each). */
export type FormFields = Record<string, string | undefined>;

/** The library's help line (LIBRARY_PHONE) as shown, and as a tel: address. */
export function libraryPhone(env: Env): { text: string; tel: string } | undefined {
  const text = env.LIBRARY_PHONE?.trim();
  return text ? { text, tel: text.replace(/[^\d+]/g, '') } : undefined;
}
