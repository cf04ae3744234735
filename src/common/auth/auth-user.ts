import type { Role } from '../../users/user.types';

/** Who is calling, as loaded from the database for each request (never trusted from the token alone). */
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
  orgUnitId: string;
  /** Materialised path of the caller's org unit: the caller's scope when admin. */
  orgPath: string;
}
