import { dropDatabase, TEMPLATE_DB, withAdminClient } from './support/test-db';

export default async function globalTeardown(): Promise<void> {
  await withAdminClient((c) => dropDatabase(c, TEMPLATE_DB));
}
