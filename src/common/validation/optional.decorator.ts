import { ValidateIf } from 'class-validator';

/**
 * Like `@IsOptional()`, but only an absent field skips validation: `null` is validated,
 * and so refused, for fields the database requires (`@IsOptional()` lets null through to
 * a NOT NULL column, a 500). Fields that null may clear keep `@IsOptional()`.
 */
export const IsOptionalNotNull = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);
