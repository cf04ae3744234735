import { ApiProperty } from '@nestjs/swagger';
import { ImportRowErrorDto } from '../../imports/dto/import.dto';

export class EventImportResultDto {
  @ApiProperty({ description: 'true: nothing was written' }) dryRun!: boolean;
  @ApiProperty({ type: 'integer', description: 'Data rows of the file (blank rows not counted)' }) total!: number;
  @ApiProperty({
    type: 'integer',
    description: 'Events created (in a dry run: that would be); 0 when any row has an error',
  })
  created!: number;
  @ApiProperty({ type: 'integer', description: 'Rows with at least one error' }) failed!: number;
  @ApiProperty({
    type: [ImportRowErrorDto],
    description:
      'By row; `field` is the column (kind, title, date, unit, headCount, books, discs, leaflets, notes); `code` ' +
      'is REQUIRED, INVALID, INVALID_CHARACTER, TOO_LONG, NUMBER, RANGE, NOT_FOUND or AMBIGUOUS',
  })
  errors!: ImportRowErrorDto[];
}
