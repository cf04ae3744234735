import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { UserDto } from '../../users/dto/user.dto';

export class LoginDto {
  @ApiProperty({ example: '13937000001', description: 'Case-insensitive; often a phone number' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  username!: string;

  @ApiProperty({ example: 'Trainee@2026', writeOnly: true })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  password!: string;
}

export class LoginResponseDto {
  @ApiProperty({ description: 'Bearer token for the Authorization header', example: 'eyJhbGciOiJIUzI1NiIs…' })
  accessToken!: string;
  @ApiProperty({ type: 'integer', description: 'Seconds until the token expires', example: 43200 })
  expiresIn!: number;
  @ApiProperty({ type: UserDto }) user!: UserDto;
}
