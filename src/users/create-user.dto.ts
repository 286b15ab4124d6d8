import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsOptional, IsString, Length, MinLength } from 'class-validator';
import { ROLES, type Role } from './user.entity';

export class CreateUserDto {
  @ApiProperty({ example: 'lead@example.com' })
  @IsEmail()
  email!: string;

  @ApiProperty({ minLength: 8, writeOnly: true })
  @IsString()
  @MinLength(8)
  password!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ description: 'the agent this user is (required for role agent)', nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  agent_id?: string | null;

  @ApiPropertyOptional({ description: 'teams a team_lead leads (descendants included)', type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  team_ids?: string[];
}

export class UserDto {
  @ApiProperty() id!: number;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ nullable: true, type: String }) agent_id!: string | null;
  @ApiProperty({ type: [String] }) team_ids!: string[];
  @ApiProperty() active!: boolean;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class UserListDto {
  @ApiProperty({ type: [UserDto] }) users!: UserDto[];
}
