import { IdempotencyKey } from '../common/idempotency/idempotency-key.entity';
import { OrgUnit } from '../org-units/org-unit.entity';
import { User } from '../users/user.entity';

/** Every entity, listed once for the app, the CLI and tests. */
export const entities = [OrgUnit, User, IdempotencyKey];
