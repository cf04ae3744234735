import { ApiProperty } from '@nestjs/swagger';

export class CertificateRevocationDto {
  @ApiProperty({ example: '2026-07-02', description: 'The local date (centre time zone) it was revoked on' })
  on!: string;

  @ApiProperty({ example: '成绩录入有误，已重新核定' })
  reason!: string;
}

/**
 * What anyone holding a certificate's code may learn about it: nothing that identifies the
 * holder beyond a masked name (no township, ids, phone number or full name).
 */
export class CertificateVerificationDto {
  @ApiProperty({ description: 'True for a certificate that stands; false once it is revoked' })
  valid!: boolean;

  @ApiProperty({ example: '7K3Q-M9XD-0A1B-ZZ22-PQRS', description: 'The verification code as printed' })
  code!: string;

  @ApiProperty({ example: '2026-Q2-0037', description: "The certificate's serial number at its centre" })
  serial!: string;

  @ApiProperty({
    example: '欧阳*明',
    description: "The holder's name, masked: surname and last character (王*明, 欧阳*明, 张*); other scripts J***",
  })
  holder!: string;

  @ApiProperty({ example: '基层图书馆服务实务' })
  course!: string;

  @ApiProperty({ example: '2026年第二期' })
  classTitle!: string;

  @ApiProperty({ example: '甲县图书馆', description: 'The issuing centre' })
  centre!: string;

  @ApiProperty({ example: '2026-06-30', description: 'The local date (centre time zone) it was issued on' })
  issuedOn!: string;

  @ApiProperty({ type: CertificateRevocationDto, nullable: true, description: 'Null unless revoked' })
  revoked!: CertificateRevocationDto | null;
}
