import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'hr@demo.yardstick' })
  @IsString()
  @MaxLength(320)
  email!: string;

  @ApiProperty({ writeOnly: true })
  @IsString()
  @MaxLength(1024)
  password!: string;
}

export class TokenDto {
  @ApiProperty({ description: 'JWT, send as `Authorization: Bearer <token>`' }) access_token!: string;
  @ApiProperty({ description: 'seconds until the token expires' }) expires_in!: number;
}
