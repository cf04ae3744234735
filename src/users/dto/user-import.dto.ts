import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export class ImportUsersQueryDto {
  @ApiPropertyOptional({ description: 'true: check every row and report, write nothing', enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  dryRun?: 'true' | 'false';
}

export class ImportRowErrorDto {
  @ApiProperty({ description: 'Row number as the spreadsheet shows it (the header is row 1)' }) row!: number;
  @ApiProperty({ description: 'Field name, or "row"' }) field!: string;
  @ApiProperty() code!: string;
  @ApiProperty() message!: string;
}

export class ImportCredentialDto {
  @ApiProperty() row!: number;
  @ApiProperty() username!: string;
  @ApiProperty({ description: 'Generated initial password: shown once, hand it to the trainee' }) password!: string;
}

export class ImportResultDto {
  @ApiProperty() dryRun!: boolean;
  @ApiProperty() created!: number;
  @ApiProperty() updated!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ type: [ImportRowErrorDto] }) errors!: ImportRowErrorDto[];
  @ApiProperty({ type: [ImportCredentialDto] }) credentials!: ImportCredentialDto[];
  @ApiPropertyOptional({
    description: 'true on an Idempotency-Key replay: the generated passwords were not stored, so credentials is empty',
  })
  credentialsRedacted?: boolean;
}
