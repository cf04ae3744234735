import { CreateOrgUnits1795840000000 } from '../../migrations/1795840000000-CreateOrgUnits';
import { CreateUsers1795840001000 } from '../../migrations/1795840001000-CreateUsers';
import { CreateIdempotencyKeys1795840002000 } from '../../migrations/1795840002000-CreateIdempotencyKeys';

/**
 * Every migration, in order. Listed as classes (not a glob) so the same list works
 * compiled, under Jest and from the CLI. `npm run migration:generate` writes a new
 * file into migrations/; add its class here.
 */
export const migrations = [CreateOrgUnits1795840000000, CreateUsers1795840001000, CreateIdempotencyKeys1795840002000];
