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
  @ApiProperty({ example: '13800000001', description: 'Often a phone number; stored lower-case' })
  @Transform(trimLower)
  @IsString()
  @Matches(USERNAME_PATTERN, { message: messageKey('USERNAME') })
  username!: string;

  @ApiProperty({ minLength: 8, maxLength: 128, writeOnly: true })
  @IsString()
  @MinLength(8)
  @MaxLength(128)
  password!: string;

  @ApiProperty({ example: '李明' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  @IsSingleLine()
  displayName!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  orgUnitId!: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: '13800000001' })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @Matches(PHONE_PATTERN, { message: messageKey('PHONE') })
  phone?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @Transform(trimOrNull)
  @ValidateIf((_o, v) => v !== null)
  @IsEmail()
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({ enum: EDUCATION_LEVELS, nullable: true })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsIn(EDUCATION_LEVELS)
  education?: EducationLevel | null;

  @ApiPropertyOptional({ enum: PROFICIENCIES, nullable: true })
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

  @ApiPropertyOptional({ description: 'true or false' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() username!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ format: 'uuid' }) orgUnitId!: string;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ enum: EDUCATION_LEVELS, nullable: true }) education!: EducationLevel | null;
  @ApiProperty({ enum: PROFICIENCIES, nullable: true }) proficiency!: Proficiency | null;
  @ApiProperty() active!: boolean;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;

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
