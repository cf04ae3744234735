import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export class ImportUsersQueryDto {
  @ApiPropertyOptional({ description: 'true: check every row and report, write nothing', enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  dryRun?: 'true' | 'false';
}

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

export class ImportResultDto {
  @ApiProperty({ description: 'true: nothing was written' }) dryRun!: boolean;
  @ApiProperty({ type: 'integer', description: 'Trainees created (or that would be, in a dry run)' }) created!: number;
  @ApiProperty({ type: 'integer', description: 'Existing trainees updated' }) updated!: number;
  @ApiProperty({ type: 'integer', description: 'Rows with at least one error (not written)' }) failed!: number;
  @ApiProperty({ type: [ImportRowErrorDto] }) errors!: ImportRowErrorDto[];
  @ApiProperty({ type: [ImportCredentialDto] }) credentials!: ImportCredentialDto[];
  @ApiPropertyOptional({
    description: 'true on an Idempotency-Key replay: the generated passwords were not stored, so credentials is empty',
  })
  credentialsRedacted?: boolean;
}
