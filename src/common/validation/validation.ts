import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { DomainError, type MessageArg } from '../errors/domain-error';

/** A custom decorator message names its translation: `{ message: messageKey('DATE') }` (validation.DATE). */
const KEY_PREFIX = 'validation:';
export const messageKey = (key: string): string => `${KEY_PREFIX}${key}`;

/** One thing wrong with a field: its message's key among the translations, and what it quotes. */
export interface Problem {
  key: string;
  args: Record<string, MessageArg>;
}

/** A field, named as the client sent it (`records.3.status`), and everything wrong with it. */
export interface FieldProblems {
  field: string;
  problems: Problem[];
}

/**
 * A body, query or parameter that failed validation: every field's problems at once. The
 * exception filter writes them in the caller's language as `errors: [{field, messages}]`.
 */
export class ValidationFailed extends DomainError {
  constructor(readonly fields: FieldProblems[]) {
    super('VALIDATION_FAILED', 'invalid');
  }
}

/** The values a built-in constraint was declared with (`@MaxLength(200)` → [200]), for its message. */
function constraintValues(error: ValidationError, name: string): unknown[] {
  const target = error.target as object | undefined;
  if (!target) return [];
  const metadata = getMetadataStorage()
    .getTargetValidationMetadatas(target.constructor, '', true, false)
    .find((m) => m.propertyName === error.property && m.name === name);
  return (metadata?.constraints ?? []) as unknown[];
}

function problemOf(error: ValidationError, name: string, text: string, field: string): Problem {
  if (text.startsWith(KEY_PREFIX)) return { key: `validation.${text.slice(KEY_PREFIX.length)}`, args: { field } };
  const args: Record<string, MessageArg> = { field };
  // The first value a constraint was declared with is what messages quote (`{constraint}`).
  const [value] = constraintValues(error, name);
  if (typeof value === 'number' || typeof value === 'string') args.constraint = value;
  else if (Array.isArray(value)) args.constraint = value.map(String);
  return { key: `validation.${name}`, args };
}

/** Fields reported at most, and the longest field name quoted: a client's names go into the answer. */
const MAX_FIELDS = 50;
const MAX_FIELD_NAME = 100;

/** Every field's problems (the first MAX_FIELDS), nested fields named by their path. */
export function problemsOf(errors: ValidationError[], prefix = ''): FieldProblems[] {
  return allProblemsOf(errors, prefix).slice(0, MAX_FIELDS);
}

function allProblemsOf(errors: ValidationError[], prefix: string): FieldProblems[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const field = path.length > MAX_FIELD_NAME ? `${path.slice(0, MAX_FIELD_NAME)}…` : path;
    const own = e.constraints
      ? [{ field, problems: Object.entries(e.constraints).map(([name, text]) => problemOf(e, name, text, field)) }]
      : [];
    return [...own, ...allProblemsOf(e.children ?? [], path)];
  });
}

/**
 * A body must be one object: a JSON array where a DTO is expected would be validated element
 * by element against the DTO and answered with confusing messages, so it is refused first.
 */
class BodyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && Array.isArray(value)) {
      throw new ValidationFailed([{ field: 'body', problems: [{ key: 'validation.unknownValue', args: {} }] }]);
    }
    return super.transform(value, metadata);
  }
}

/** The one validation mechanism: unknown fields are refused, types are transformed. */
export function createValidationPipe(): ValidationPipe {
  return new BodyValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // The target lets problemsOf read each constraint's values; nothing of it reaches a client.
    validationError: { target: true, value: false },
    exceptionFactory: (errors) => new ValidationFailed(problemsOf(errors)),
  });
}
