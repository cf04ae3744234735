import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page.dto';
import { IsOptionalNotNull } from '../../common/validation/optional.decorator';
import type { User } from '../user.entity';
import {
  EDUCATION_LEVELS,
  PROFICIENCIES,
  ROLES,
  type EducationLevel,
  type Proficiency,
  type Role,
} from '../user.types';
import { trim, trimLower, trimOrNull } from '../../common/validation/transforms';
import { IsSingleLine } from '../../common/validation/text';
import { messageKey } from '../../common/validation/validation';

export const USERNAME_PATTERN = /^[a-z0-9_.@+-]{2,64}$/;
export const PHONE_PATTERN = /^\+?[0-9][0-9 -]{4,19}$/;

export class CreateUserDto {
  @ApiProperty({
    example: '13937000001',
    description: 'Often a phone number; stored lower-case: 2-64 of a-z 0-9 . _ @ + -',
  })
  @Transform(trimLower)
  @IsString()
  @Matches(USERNAME_PATTERN, { message: messageKey('USERNAME') })
  username!: string;

  @ApiProperty({ minLength: 8, maxLength: 128, writeOnly: true, example: 'Yiyang@2027' })
  @IsString()
  @MinLength(8)
  @MaxLength(128)
  password!: string;

  @ApiProperty({ example: '王芳', maxLength: 50 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  @IsSingleLine()
  displayName!: string;

  @ApiProperty({ enum: ROLES, example: 'trainee' })
  @IsIn(ROLES)
  role!: Role;

  @ApiProperty({ format: 'uuid', description: 'The unit the user belongs to, inside your part of the tree' })
  @IsUUID()
  orgUnitId!: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: '13937000001' })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @Matches(PHONE_PATTERN, { message: messageKey('PHONE') })
  phone?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 254, example: 'wangfang@example.com' })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @IsEmail()
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({ enum: EDUCATION_LEVELS, nullable: true, example: 'secondary' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsIn(EDUCATION_LEVELS)
  education?: EducationLevel | null;

  @ApiPropertyOptional({ enum: PROFICIENCIES, nullable: true, example: 'basic' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsIn(PROFICIENCIES)
  proficiency?: Proficiency | null;
}

/**
 * What an admin may change on a user in its scope (a user on itself: SELF_EDITABLE only).
 * Every create field but the username; null only clears phone, e-mail, education and
 * proficiency. Role, active and password changes revoke the user's tokens.
 */
export class UpdateUserDto extends PartialType(OmitType(CreateUserDto, ['username'] as const), {
  skipNullProperties: false,
}) {
  @ApiPropertyOptional({ description: 'Admins only, never on yourself; false revokes existing tokens' })
  @IsOptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

/** The only fields a user may change on itself. */
export const SELF_EDITABLE: ReadonlyArray<keyof UpdateUserDto> = ['displayName', 'phone', 'email'];

export class ListUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ format: 'uuid', description: 'This unit and every unit under it' })
  @IsOptional()
  @IsUUID()
  orgUnitId?: string;

  @ApiPropertyOptional({ description: 'Part of the display name, username or phone' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(64)
  q?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'true: active accounts only; false: deactivated ones only' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '13937000001' }) username!: string;
  @ApiProperty({ example: '王芳' }) displayName!: string;
  @ApiProperty({ enum: ROLES, example: 'trainee' }) role!: Role;
  @ApiProperty({ format: 'uuid' }) orgUnitId!: string;
  @ApiProperty({ type: String, nullable: true, example: '13937000001' }) phone!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) email!: string | null;
  @ApiProperty({ enum: EDUCATION_LEVELS, nullable: true, example: 'secondary' }) education!: EducationLevel | null;
  @ApiProperty({ enum: PROFICIENCIES, nullable: true, example: 'basic' }) proficiency!: Proficiency | null;
  @ApiProperty({ description: 'false: deactivated, cannot sign in' }) active!: boolean;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:00:00+08:00' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', example: '2027-01-05T09:00:00+08:00' }) updatedAt!: Date;

  /** Whitelists fields, so a password hash can never slip into an answer. */
  static from(u: Omit<User, 'passwordHash' | 'tokenVersion' | 'calendarTokenHash' | 'revokeAccess'>): UserDto {
    return {
      id: u.id,
      username: u.username,
      displayName: u.displayName,
      role: u.role,
      orgUnitId: u.orgUnitId,
      phone: u.phone,
      email: u.email,
      education: u.education,
      proficiency: u.proficiency,
      active: u.active,
      createdAt: u.createdAt,
      updatedAt: u.updatedAt,
    };
  }
}
