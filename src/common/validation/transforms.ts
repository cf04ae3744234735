/** class-transformer `@Transform` helpers shared by the DTOs. */
type Input = { value: unknown };

export const trim = ({ value }: Input): unknown => (typeof value === 'string' ? value.trim() : value);

export const trimLower = ({ value }: Input): unknown =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

/** Trims; an empty string becomes null, so it clears an optional text field. */
export const trimOrNull = ({ value }: Input): unknown =>
  typeof value === 'string' ? (value.trim() === '' ? null : value.trim()) : value;

/** Trims every string of an array. */
export const trimEach = ({ value }: Input): unknown =>
  Array.isArray(value) ? value.map((v: unknown) => (typeof v === 'string' ? v.trim() : v)) : value;
