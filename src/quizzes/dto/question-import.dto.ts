import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { ImportRowErrorDto } from '../../imports/dto/import.dto';

/** The most rows one import takes (for forms that say so). */
export { MAX_QUESTION_IMPORT_ROWS } from '../question-import.parser';

export class ImportQuestionsQueryDto {
  @ApiProperty({ format: 'uuid', description: 'The course whose bank receives the questions' })
  @IsUUID()
  courseId!: string;

  @ApiPropertyOptional({ description: 'true: check every row and report, write nothing', enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  dryRun?: 'true' | 'false';
}

export class QuestionImportResultDto {
  @ApiProperty({ description: 'true: nothing was written' }) dryRun!: boolean;
  @ApiProperty({ type: 'integer', description: 'Data rows of the file (blank rows not counted)' }) total!: number;
  @ApiProperty({
    type: 'integer',
    description: 'Questions created (in a dry run: that would be); 0 when any row has an error',
  })
  created!: number;
  @ApiProperty({ type: 'integer', description: 'Rows with at least one error' }) failed!: number;
  @ApiProperty({
    type: [ImportRowErrorDto],
    description:
      'By row; `field` is the column (category, type, prompt, points, optionA…optionJ, answer, tolerance, ' +
      'toleranceType, feedback, options); `code` is REQUIRED, INVALID, NOT_ALLOWED, TOO_LONG, TOO_MANY, RANGE, ' +
      'NUMBER, NO_CORRECT_OPTION, ONE_CORRECT_OPTION, TOO_FEW_OPTIONS or DUPLICATE_OPTIONS',
  })
  errors!: ImportRowErrorDto[];
}
