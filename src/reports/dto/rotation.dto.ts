import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

export class RotationQueryDto {
  @ApiProperty({ example: 2026 })
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;
}

export class UntrainedTraineeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() displayName!: string;
}

export class TownshipRotationDto {
  @ApiProperty({ format: 'uuid' }) townshipId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Active trainees of the township and its villages' }) staffCount!: number;
  @ApiProperty({ description: 'Completed a class of that year' }) trained!: number;
  @ApiProperty({ type: [UntrainedTraineeDto] }) notTrained!: UntrainedTraineeDto[];
  @ApiProperty({ type: Number, nullable: true, description: 'trained / staffCount, 0..1; null without staff' })
  coverage!: number | null;
  @ApiProperty({ description: "Person-times of the township's trainees in that year's classes (present or late)" })
  personTimes!: number;
}

export class RotationReportDto {
  @ApiProperty() year!: number;
  @ApiProperty() staffCount!: number;
  @ApiProperty() trained!: number;
  @ApiProperty({ type: Number, nullable: true }) coverage!: number | null;
  @ApiProperty() personTimes!: number;
  @ApiProperty({ type: [TownshipRotationDto] }) townships!: TownshipRotationDto[];
}
