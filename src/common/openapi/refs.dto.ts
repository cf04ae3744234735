import { ApiProperty } from '@nestjs/swagger';

/** A course as a screen names it beside a class or session. */
export class CourseRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '公共数字文化服务基础' }) title!: string;
}

/** A venue as a screen names it beside a class or session. */
export class VenueRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '县图书馆电子阅览室' }) name!: string;
  @ApiProperty({ type: String, nullable: true, example: '宜阳县城关镇文化路1号' }) address!: string | null;
}

/** A person (a trainer) as a screen names them. */
export class PersonRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '王老师' }) displayName!: string;
}

/** A class as a screen names it beside one of its sessions. */
export class ClassRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '2026年第四期基层服务点人员培训班' }) title!: string;
}
