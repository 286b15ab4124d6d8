import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { SUBSCRIPTION_SCOPES, type SubscriptionScope } from './subscription.entity';

export class CreateSubscriptionDto {
  @ApiPropertyOptional({ description: 'the subscriber; default: the caller (only hr and admin may name another user)', example: 7 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2147483647)
  user_id?: number;

  @ApiProperty({
    enum: SUBSCRIPTION_SCOPES,
    description: 'org: every agent and team PDF; team: team_id and all its descendants with their agents; self: the PDF of the user’s own agent',
  })
  @IsIn(SUBSCRIPTION_SCOPES)
  scope!: SubscriptionScope;

  @ApiPropertyOptional({ description: 'required with scope team, absent otherwise', example: 'T-NORTH' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  team_id?: string;
}

export class SubscriptionQueryDto {
  @ApiPropertyOptional({ description: 'hr and admin: only this user’s subscriptions (others may give only their own id)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2147483647)
  user_id?: number;
}

export class SubscriptionDto {
  @ApiProperty() subscription_id!: number;
  @ApiProperty() user_id!: number;
  @ApiProperty({ description: 'where the mails go' }) email!: string;
  @ApiProperty({ enum: SUBSCRIPTION_SCOPES }) scope!: SubscriptionScope;
  @ApiProperty({ nullable: true, type: String }) team_id!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ nullable: true, type: String, description: 'e-mail of whoever created it' }) created_by!: string | null;
}

export class SubscriptionListDto {
  @ApiProperty({ type: [SubscriptionDto] }) subscriptions!: SubscriptionDto[];
}
