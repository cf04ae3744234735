/**
 * Turns SQL with named parameters (`$start`, `$townships`: a `$` and a name starting with a
 * letter) into PostgreSQL's positional form (`$1`, `$2`) with the values in order, numbering
 * only the names the statement uses: PostgreSQL refuses a parameter it never sees. A name
 * without a value is a programming error and throws.
 */
export function bindNamed(sql: string, values: Record<string, unknown>): [string, unknown[]] {
  const order: string[] = [];
  const text = sql.replace(/\$([A-Za-z][A-Za-z0-9]*)/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no value for $${name}`);
    let i = order.indexOf(name);
    if (i < 0) i = order.push(name) - 1;
    return `$${i + 1}`;
  });
  return [text, order.map((name) => values[name])];
}
