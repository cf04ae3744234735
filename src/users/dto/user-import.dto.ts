import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ImportCredentialDto, ImportRowErrorDto } from '../../imports/dto/import.dto';

// Shared with GET /api/imports/:id, which answers the same rows and passwords for a background import.
export { ImportCredentialDto, ImportRowErrorDto, ImportStartedDto } from '../../imports/dto/import.dto';

export class ImportUsersQueryDto {
  @ApiPropertyOptional({ description: 'true: check every row and report, write nothing', enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  dryRun?: 'true' | 'false';
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
