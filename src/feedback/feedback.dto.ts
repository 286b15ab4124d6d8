import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { RATER_GROUPS, RESULT_GROUPS } from './domain/anonymity';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** ids are PostgreSQL integers */
const INT_MAX = 2147483647;

// ---------------------------------------------------------------------------------------
// Requests

export class CreateQuestionDto {
  @ApiProperty({ description: 'a question answered 1–5 (or "cannot rate")', example: 'Explains solutions clearly' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  text!: string;
}

export class CreateCompetencyDto {
  @ApiProperty({ example: 'Communication' }) @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) @IsOptional() @IsString() @MaxLength(2000) description?: string | null;
  @ApiProperty({ type: [CreateQuestionDto] })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CreateQuestionDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(30)
  questions!: CreateQuestionDto[];
}

export class CreateAssignmentDto {
  @ApiProperty({ description: 'the agent rated (one of `subjects`)', example: 'A1' }) @IsString() @MinLength(1) @MaxLength(64) subject_agent_id!: string;
  @ApiProperty({ enum: RATER_GROUPS }) @IsIn(RATER_GROUPS) group!: (typeof RATER_GROUPS)[number];
  @ApiPropertyOptional({
    description:
      'the rater, a user: give exactly one of rater_user_id, rater_email or rater_agent_id (the active user linked to that agent). ' +
      'For group `self` all may be left out: the subject’s own user.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(INT_MAX)
  rater_user_id?: number;
  @ApiPropertyOptional({ example: 'li@example.com' }) @IsOptional() @IsString() @MaxLength(320) rater_email?: string;
  @ApiPropertyOptional({ example: 'A2' }) @IsOptional() @IsString() @MaxLength(64) rater_agent_id?: string;
}

export class CreateCycleDto {
  @ApiProperty({ example: '360 autumn 2026' }) @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ description: 'first day responses are accepted (local date in ORG_TIMEZONE)', example: '2026-10-01' })
  @IsString()
  @Matches(DATE, { message: 'opens_on must be a date YYYY-MM-DD' })
  opens_on!: string;
  @ApiProperty({ description: 'last day responses are accepted (inclusive); the cycle is closed from the next day on', example: '2026-10-20' })
  @IsString()
  @Matches(DATE, { message: 'closes_on must be a date YYYY-MM-DD' })
  closes_on!: string;
  @ApiProperty({ type: [CreateCompetencyDto] })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CreateCompetencyDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(30)
  competencies!: CreateCompetencyDto[];
  @ApiProperty({ type: [String], description: 'agent ids of the subjects', example: ['A1', 'A2'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5000)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  subjects!: string[];
  @ApiProperty({ type: [CreateAssignmentDto] })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CreateAssignmentDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(50000)
  assignments!: CreateAssignmentDto[];
}

export const CANNOT_RATE = 'cannot_rate' as const;
const RATINGS = [1, 2, 3, 4, 5, CANNOT_RATE] as const;
/** An answer: a rating 1–5, or "cannot_rate". */
export type Rating = (typeof RATINGS)[number];

export class AnswerDto {
  @ApiProperty() @IsInt() @Min(1) @Max(INT_MAX) question_id!: number;
  @ApiProperty({ oneOf: [{ type: 'integer', minimum: 1, maximum: 5 }, { type: 'string', enum: [CANNOT_RATE] }], description: '1–5, or "cannot_rate"' })
  @IsIn(RATINGS, { message: 'rating must be an integer 1–5 or "cannot_rate"' })
  rating!: (typeof RATINGS)[number];
}

export class CompetencyCommentDto {
  @ApiProperty() @IsInt() @Min(1) @Max(INT_MAX) competency_id!: number;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(4000) text!: string;
}

export class SaveResponseDto {
  @ApiProperty({ type: [AnswerDto], description: 'every question of the cycle exactly once' })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => AnswerDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  answers!: AnswerDto[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'optional general comment' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(4000)
  comment?: string | null;
  @ApiPropertyOptional({ type: [CompetencyCommentDto], description: 'optional comments, at most one per competency' })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CompetencyCommentDto)
  @ArrayMaxSize(100)
  competency_comments?: CompetencyCommentDto[];
}

export class SubmitResponseDto extends SaveResponseDto {
  @ApiProperty({ description: 'the agent rated', example: 'A1' }) @IsString() @MinLength(1) @MaxLength(64) subject_agent_id!: string;
}

// ---------------------------------------------------------------------------------------
// Responses

export class CycleSummaryDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ example: '2026-10-01' }) opens_on!: string;
  @ApiProperty({ example: '2026-10-20' }) closes_on!: string;
  @ApiProperty({ enum: ['scheduled', 'open', 'closed'] }) status!: string;
  @ApiProperty({ description: 'number of subjects' }) subjects!: number;
  @ApiProperty({ description: 'the caller’s own rater assignments in the cycle' }) my_assignments!: number;
  @ApiProperty({ description: 'of those, how many the caller still has to answer' }) my_pending!: number;
}

export class CycleListDto {
  @ApiProperty({ type: [CycleSummaryDto] }) cycles!: CycleSummaryDto[];
}

export class QuestionDto {
  @ApiProperty() id!: number;
  @ApiProperty() text!: string;
}

export class CompetencyDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ type: [QuestionDto] }) questions!: QuestionDto[];
}

export class CycleSubjectDto {
  @ApiProperty() agent_id!: string;
  @ApiProperty() name!: string;
}

export class AssignmentDto {
  @ApiProperty() subject_agent_id!: string;
  @ApiProperty({ enum: RATER_GROUPS }) group!: string;
  @ApiProperty() rater_user_id!: number;
  @ApiProperty() rater_email!: string;
}

export class MyAssignmentDto {
  @ApiProperty() subject_agent_id!: string;
  @ApiProperty() subject_name!: string;
  @ApiProperty({ enum: RATER_GROUPS }) group!: string;
  @ApiProperty({ description: 'whether the group is anonymous (peer, direct_report, customer); self and manager are shown as they are' })
  anonymous!: boolean;
  @ApiProperty({ description: 'whether the caller has a response for this subject' }) submitted!: boolean;
}

export class CycleDetailDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() opens_on!: string;
  @ApiProperty() closes_on!: string;
  @ApiProperty({ enum: ['scheduled', 'open', 'closed'] }) status!: string;
  @ApiProperty({ description: 'FEEDBACK_MIN_RATERS: the anonymity threshold' }) min_raters!: number;
  @ApiProperty({ type: [CompetencyDto] }) competencies!: CompetencyDto[];
  @ApiProperty({ type: [CycleSubjectDto], description: 'all subjects for hr, manager and admin; else those in the caller’s scope' })
  subjects!: CycleSubjectDto[];
  @ApiProperty({
    type: [AssignmentDto],
    nullable: true,
    description: 'who was asked to rate whom — for hr, manager and admin (who set it up); null for others. Never says who answered.',
  })
  assignments!: AssignmentDto[] | null;
  @ApiProperty({ type: [MyAssignmentDto] }) my_assignments!: MyAssignmentDto[];
  @ApiProperty() created_at!: string;
  @ApiProperty({ nullable: true, type: String }) created_by!: string | null;
}

export class GroupCompletionDto {
  @ApiProperty({ enum: RATER_GROUPS }) group!: string;
  @ApiProperty() assigned!: number;
  @ApiProperty({ description: 'raters of the group who submitted a response (a count: never which ones)' }) responded!: number;
}

export class SubjectCompletionDto {
  @ApiProperty() subject_agent_id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [GroupCompletionDto] }) groups!: GroupCompletionDto[];
}

export class ResponsesDto {
  @ApiProperty() cycle_id!: number;
  @ApiProperty({ enum: ['scheduled', 'open', 'closed'] }) status!: string;
  @ApiProperty({ type: [MyAssignmentDto], description: 'the caller’s own rater assignments and whether each is answered' })
  mine!: MyAssignmentDto[];
  @ApiProperty({
    type: [SubjectCompletionDto],
    nullable: true,
    description:
      'completion per subject and group, counts only (hr, manager, admin: every subject; team lead: their teams’ agents); null for agents',
  })
  completion!: SubjectCompletionDto[] | null;
}

export class OwnAnswerDto {
  @ApiProperty() question_id!: number;
  @ApiProperty({ oneOf: [{ type: 'integer', minimum: 1, maximum: 5 }, { type: 'string', enum: [CANNOT_RATE] }] }) rating!: number | string;
}

export class OwnResponseDto {
  @ApiProperty() cycle_id!: number;
  @ApiProperty() subject_agent_id!: string;
  @ApiProperty() subject_name!: string;
  @ApiProperty({ enum: RATER_GROUPS }) group!: string;
  @ApiProperty() anonymous!: boolean;
  @ApiProperty({ type: [OwnAnswerDto] }) answers!: OwnAnswerDto[];
  @ApiProperty({ nullable: true, type: String }) comment!: string | null;
  @ApiProperty({ type: [CompetencyCommentDto] }) competency_comments!: CompetencyCommentDto[];
}

export class ResultGroupDto {
  @ApiProperty({ enum: RATER_GROUPS }) group!: string;
  @ApiProperty({ enum: ['shown', 'folded', 'hidden', 'no_responses'] }) status!: string;
  @ApiProperty({ nullable: true, enum: RESULT_GROUPS, description: 'where its ratings and comments appear: itself, others, or nowhere' })
  shown_as!: string | null;
  @ApiProperty() assigned!: number;
  @ApiProperty() responded!: number;
  @ApiProperty({ description: 'raters with at least one rating (what the anonymity threshold counts)' }) count!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'mean rating (1–5) over its shown competency cells; only when shown' })
  mean!: number | null;
}

export class OthersDto {
  @ApiProperty({ enum: RATER_GROUPS, isArray: true, description: 'the anonymous groups below the threshold, folded together' }) members!: string[];
  @ApiProperty({ enum: ['shown', 'hidden'] }) status!: string;
  @ApiProperty() count!: number;
  @ApiProperty({ nullable: true, type: Number }) mean!: number | null;
}

export class CellDto {
  @ApiProperty({ enum: RESULT_GROUPS }) group!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'raters with a rating on the competency; null when suppressed' }) count!: number | null;
  @ApiProperty({ nullable: true, type: Number }) mean!: number | null;
  @ApiProperty({ description: 'an anonymous group’s cell with fewer than FEEDBACK_MIN_RATERS raters: neither mean nor count is shown' })
  suppressed!: boolean;
}

export class CompetencyResultDto {
  @ApiProperty() competency_id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [CellDto] }) groups!: CellDto[];
  @ApiProperty({ nullable: true, type: Number }) self_mean!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'mean of the shown groups’ means other than self' }) non_self_mean!: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'self_mean − non_self_mean' }) gap!: number | null;
}

export class OverallDto {
  @ApiProperty({ nullable: true, type: Number }) self_mean!: number | null;
  @ApiProperty({ nullable: true, type: Number }) non_self_mean!: number | null;
  @ApiProperty({ nullable: true, type: Number }) gap!: number | null;
}

export class ResultCommentDto {
  @ApiProperty({ enum: RESULT_GROUPS }) group!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'null: a general comment' }) competency_id!: number | null;
  @ApiProperty() text!: string;
}

export class ScoreGroupDto {
  @ApiProperty({ enum: RESULT_GROUPS }) group!: string;
  @ApiProperty() count!: number;
  @ApiProperty() mean!: number;
}

export class ScoreDto {
  @ApiProperty({ nullable: true, type: Number }) value!: number | null;
  @ApiProperty({ description: 'Σ of the counted groups’ means' }) numerator!: number;
  @ApiProperty({ description: 'number of groups counted' }) denominator!: number;
  @ApiProperty({ description: 'raters behind the counted groups' }) sample_size!: number;
  @ApiProperty({ type: [ScoreGroupDto] }) groups!: ScoreGroupDto[];
}

export class ResultsCycleDto {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() opens_on!: string;
  @ApiProperty() closes_on!: string;
  @ApiProperty({ enum: ['closed'] }) status!: string;
}

export class ResultsDto {
  @ApiProperty({ type: ResultsCycleDto }) cycle!: ResultsCycleDto;
  @ApiProperty({ type: CycleSubjectDto }) subject!: CycleSubjectDto;
  @ApiProperty({ description: 'FEEDBACK_MIN_RATERS' }) min_raters!: number;
  @ApiProperty({ type: [ResultGroupDto] }) groups!: ResultGroupDto[];
  @ApiProperty({ type: OthersDto, nullable: true }) others!: OthersDto | null;
  @ApiProperty({ type: [CompetencyResultDto] }) competencies!: CompetencyResultDto[];
  @ApiProperty({ type: OverallDto }) overall!: OverallDto;
  @ApiProperty({
    type: [ResultCommentDto],
    description: 'comments of shown groups, without rater identity or time, ordered by group, competency (general first) and text',
  })
  comments!: ResultCommentDto[];
  @ApiProperty({ type: ScoreDto }) feedback_360_score!: ScoreDto;
}
