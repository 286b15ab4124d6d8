import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { DATE_PATTERN } from './retention.dto';
import { CHURN_REASONS, CONFIRMATIONS, CONTACT_CHANNELS, TASK_OUTCOMES, TASK_SOURCES, TASK_STATUSES } from './domain/win-back';

export class TaskListQueryDto {
  @ApiPropertyOptional({ enum: TASK_STATUSES })
  @IsOptional()
  @IsIn(TASK_STATUSES, { message: `status must be one of ${TASK_STATUSES.join(', ')}` })
  status?: (typeof TASK_STATUSES)[number];

  @ApiPropertyOptional({ enum: CONFIRMATIONS })
  @IsOptional()
  @IsIn(CONFIRMATIONS, { message: `confirmation must be one of ${CONFIRMATIONS.join(', ')}` })
  confirmation?: (typeof CONFIRMATIONS)[number];

  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) agent_id?: string;
  @ApiPropertyOptional({ description: 'the team and its descendants (the task agent’s current team)' }) @IsOptional() @IsString() @Length(1, 64) team_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) customer_id?: string;

  @ApiPropertyOptional({ default: 1, minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'page must be a whole number ≥ 1' })
  @Min(1, { message: 'page must be a whole number ≥ 1' })
  page?: number;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'page_size must be a whole number from 1 to 500' })
  @Min(1, { message: 'page_size must be a whole number from 1 to 500' })
  @Max(500, { message: 'page_size must be a whole number from 1 to 500' })
  page_size?: number;
}

export class OpenTaskDto {
  @ApiProperty({ example: 'C-1001' })
  @IsString()
  @Length(1, 64)
  customer_id!: string;

  @ApiPropertyOptional({ description: 'default: the customer’s owner today; must be in your scope' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  agent_id?: string;

  @ApiPropertyOptional({ example: '2026-11-24', description: 'default: 14 days from today; not before today' })
  @IsOptional()
  @Matches(DATE_PATTERN, { message: 'due_on must be a date YYYY-MM-DD' })
  due_on?: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  note?: string | null;
}

export class ContactDto {
  @ApiProperty({ enum: CONTACT_CHANNELS })
  @IsIn(CONTACT_CHANNELS, { message: `channel must be one of ${CONTACT_CHANNELS.join(', ')}` })
  channel!: string;

  @ApiProperty({ example: '2026-11-03T10:15:00+01:00', description: 'ISO 8601 with an offset; not before the task was opened, not in the future' })
  @IsString()
  @MaxLength(40)
  at!: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  note?: string | null;
}

/** Checked by the domain rules (src/retention/domain/win-back.ts validateClose), which name every field. */
export class CloseTaskDto {
  @ApiProperty({ enum: TASK_OUTCOMES }) @Allow() outcome!: string;
  @ApiPropertyOptional({ enum: CHURN_REASONS, description: 'required when lost (a complaint category of the data contract), else absent' }) @Allow() churn_reason?: string;
  @ApiPropertyOptional({ type: Boolean, description: 'required when lost: could the company have prevented it' }) @Allow() controllable?: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) @Allow() note?: string | null;
}

export class ContactViewDto {
  @ApiProperty() id!: number;
  @ApiProperty({ enum: CONTACT_CHANNELS }) channel!: string;
  @ApiProperty() at!: string;
  @ApiProperty({ nullable: true, type: String }) note!: string | null;
  @ApiProperty() recorded_by!: string;
  @ApiProperty() recorded_at!: string;
}

export class ConfirmationDto {
  @ApiProperty({ enum: CONFIRMATIONS, description: 'pending until the window ends, then confirmed (a completed order dated in the window) or not_confirmed' })
  status!: string;
  @ApiProperty({ description: 'the window is (opened_on, window_ends_on]: an order on window_ends_on counts' }) window_ends_on!: string;
  @ApiProperty({ nullable: true, type: String }) settled_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) order_id!: string | null;
  @ApiProperty({ nullable: true, type: String }) ordered_on!: string | null;
}

export class WinBackTaskDto {
  @ApiProperty() id!: number;
  @ApiProperty() customer_id!: string;
  @ApiProperty({ nullable: true, type: String }) customer_name!: string | null;
  @ApiProperty() agent_id!: string;
  @ApiProperty({ nullable: true, type: String }) agent_name!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'the agent’s current team' }) team_id!: string | null;
  @ApiProperty({ enum: TASK_SOURCES }) source!: string;
  @ApiProperty({ nullable: true, type: String, description: 'the early-warning list day the weekly job opened it from' }) list_as_of!: string | null;
  @ApiProperty({ nullable: true, type: String }) risk_level!: string | null;
  @ApiProperty({ nullable: true, type: String }) tier!: string | null;
  @ApiProperty({ nullable: true, type: Object, description: 'the signals that fired, with their numbers, on list_as_of' }) signals!: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: Number }) p_alive!: number | null;
  @ApiProperty({ nullable: true, type: Number }) clv!: number | null;
  @ApiProperty() opened_on!: string;
  @ApiProperty() opened_at!: string;
  @ApiProperty() opened_by!: string;
  @ApiProperty({ nullable: true, type: String }) open_note!: string | null;
  @ApiProperty() due_on!: string;
  @ApiProperty({ description: 'open and past its due day' }) overdue!: boolean;
  @ApiProperty({ enum: TASK_STATUSES }) status!: string;
  @ApiProperty({ enum: TASK_OUTCOMES, nullable: true }) outcome!: string | null;
  @ApiProperty({ enum: CHURN_REASONS, nullable: true }) churn_reason!: string | null;
  @ApiProperty({ nullable: true, type: Boolean }) controllable!: boolean | null;
  @ApiProperty({ nullable: true, type: String }) close_note!: string | null;
  @ApiProperty({ nullable: true, type: String }) closed_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) closed_by!: string | null;
  @ApiProperty({ type: ConfirmationDto }) confirmation!: ConfirmationDto;
  @ApiProperty() contact_attempts!: number;
  @ApiPropertyOptional({ type: [ContactViewDto], description: 'single-task views only' }) contacts?: ContactViewDto[];
}

export class TaskListDto {
  @ApiProperty() page!: number;
  @ApiProperty() page_size!: number;
  @ApiProperty() total!: number;
  @ApiProperty({ type: [WinBackTaskDto], description: 'newest first' }) tasks!: WinBackTaskDto[];
}
