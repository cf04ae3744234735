export const ROLES = ['admin', 'trainer', 'trainee'] as const;
export type Role = (typeof ROLES)[number];

export const PROFICIENCIES = ['none', 'basic', 'intermediate', 'advanced'] as const;
export type Proficiency = (typeof PROFICIENCIES)[number];

/** The same three bands the needs survey counts. */
export const EDUCATION_LEVELS = ['primary', 'secondary', 'tertiary'] as const;
export type EducationLevel = (typeof EDUCATION_LEVELS)[number];

/** The user record's type, for other modules (the entity itself stays private to this module). */
export type { User } from './user.entity';
