import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IMPORT_STATUSES, type ImportRowError, type ImportStatus } from '../imports.types';

export class ImportRowErrorDto {
  @ApiProperty({
    type: 'integer',
    description: 'Row number as the spreadsheet shows it (the header is row 1)',
    example: 7,
  })
  row!: number;
  @ApiProperty({ description: 'Field name, or "row"', example: 'orgUnit' }) field!: string;
  @ApiProperty({
    description:
      'INVALID, INVALID_CHARACTER, REQUIRED, NOT_FOUND, AMBIGUOUS (a unit name found twice in your part of the tree), ' +
      'DUPLICATE_IN_FILE, USERNAME_TAKEN (by a non-trainee or outside your part), CHANGED_DURING_IMPORT',
    example: 'NOT_FOUND',
  })
  code!: string;
  @ApiProperty({ description: "In the caller's language", example: '您管辖范围内没有名为“城关镇”的单位' })
  message!: string;
}

export class ImportCredentialDto {
  @ApiProperty({ type: 'integer', example: 3 }) row!: number;
  @ApiProperty({ example: '13937000001' }) username!: string;
  @ApiProperty({ description: 'Generated initial password: shown once, hand it to the trainee', example: 'k7mq2xwp9h' })
  password!: string;
}

/** The answer of an import that runs in the background (202, with `Location: /api/imports/<id>`). */
export class ImportStartedDto {
  @ApiProperty({ format: 'uuid', description: 'Follow it at GET /api/imports/{importId}' }) importId!: string;
  @ApiProperty({ enum: IMPORT_STATUSES, example: 'queued' }) status!: ImportStatus;
  @ApiProperty({ type: 'integer', description: 'Rows of the file, good and bad', example: 1200 }) total!: number;
}

export class ImportDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'What is imported', example: 'users' }) kind!: string;
  @ApiProperty({
    enum: IMPORT_STATUSES,
    description: 'queued (waiting for a worker), running, done, failed (stopped by an unexpected error)',
  })
  status!: ImportStatus;
  @ApiProperty({ type: 'integer', description: 'Rows of the file, good and bad' }) total!: number;
  @ApiProperty({ type: 'integer', description: 'Rows finished so far (written or reported); reaches total' })
  done!: number;
  @ApiProperty({ type: 'integer', description: 'Trainees created so far' }) created!: number;
  @ApiProperty({ type: 'integer', description: 'Existing trainees updated so far' }) updated!: number;
  @ApiProperty({ type: 'integer', description: 'Rows with at least one error (not written)' }) failed!: number;
  @ApiProperty({ type: [ImportRowErrorDto], description: 'By row number' }) errors!: ImportRowError[];
  @ApiPropertyOptional({
    type: [ImportCredentialDto],
    description:
      'Generated passwords, in the first read of a finished import by the admin who started it, and never again',
  })
  credentials?: ImportCredentialDto[];
  @ApiProperty({ description: 'true: the generated passwords were answered once already and are erased' })
  credentialsShown!: boolean;
  @ApiProperty({ description: 'true: the generated passwords were erased unread, 24 hours after the import finished' })
  credentialsExpired!: boolean;
  @ApiPropertyOptional({ description: "Why a failed import stopped, in the caller's language" })
  error?: string;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:00:00+08:00' }) createdAt!: Date;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When a worker took it; null while queued',
  })
  startedAt!: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: Date | null;
}
