import type { EducationLevel, Proficiency, Role } from '../../users/user.types';

/**
 * Who is calling, loaded from the database for each request in one read (never
 * trusted from the token alone): identity, scope and the profile `GET /api/auth/me` shows.
 */
export interface AuthUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  orgUnitId: string;
  /** Materialised path of the caller's org unit: the caller's scope when admin. */
  orgPath: string;
  phone: string | null;
  email: string | null;
  education: EducationLevel | null;
  proficiency: Proficiency | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}
