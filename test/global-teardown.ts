import { dropRunDatabases, withAdminClient } from './support/test-db';

export default async function globalTeardown(): Promise<void> {
  await withAdminClient(dropRunDatabases);
}
