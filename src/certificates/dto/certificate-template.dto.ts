import { ApiProperty } from '@nestjs/swagger';
import type { OwnTemplate } from '../certificate-templates.service';

/** A unit's own certificate design, seal and logo (GET/PUT/DELETE …/certificate-template). */
export class CertificateTemplateDto {
  @ApiProperty({ format: 'uuid' })
  orgUnitId!: string;

  @ApiProperty({
    description: 'True when the unit uploaded its own design; `svg` is then its source, else the default',
  })
  custom!: boolean;

  @ApiProperty({ description: 'The Handlebars SVG source (see templates/certificates/README.md for its fields)' })
  svg!: string;

  @ApiProperty()
  hasSeal!: boolean;

  @ApiProperty()
  hasLogo!: boolean;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Last change; null when the unit has nothing of its own',
  })
  updatedAt!: Date | null;

  static from(t: OwnTemplate): CertificateTemplateDto {
    return { ...t };
  }
}
