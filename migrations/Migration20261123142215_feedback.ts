import { Migration } from '@mikro-orm/migrations';

export class Migration20261123142215_feedback extends Migration {

  override name = 'Migration20261123142215_feedback';

  override up(): void | Promise<void> {
    this.addSql(`create table "audit_forms" ("id" serial primary key, "seed_key" text null, "created_at" timestamptz not null, "created_by" text null);`);
    this.addSql(`alter table "audit_forms" add constraint "audit_forms_seed_key_unique" unique ("seed_key");`);

    this.addSql(`create table "audit_form_versions" ("id" serial primary key, "form_id" int not null, "version" int not null, "name" text not null, "definition" jsonb not null, "created_at" timestamptz not null, "created_by" text null);`);
    this.addSql(`alter table "audit_form_versions" add constraint "audit_form_versions_form_version_unique" unique ("form_id", "version");`);

    this.addSql(`create table "audit_form_retirements" ("form_version_id" int not null, "retired_at" timestamptz not null, "retired_by" text null, "reason" text not null, primary key ("form_version_id"));`);

    this.addSql(`create table "audits" ("id" serial primary key, "agent_id" varchar(64) not null, "auditor_user_id" int not null, "auditor_email" text not null, "form_version_id" int not null, "channel" text not null, "visited_at" timestamptz not null, "interaction_ref" text null, "summary" text null, "answers" jsonb not null, "score" double precision null, "auto_failed" boolean not null, "failed_criteria" jsonb not null, "status" text not null, "revision" int not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "finalized_at" timestamptz null, "voided_at" timestamptz null, "voided_by" text null, "void_reason" text null);`);
    this.addSql(`create index "audits_agent_id_index" on "audits" ("agent_id");`);
    this.addSql(`create index "audits_auditor_user_id_index" on "audits" ("auditor_user_id");`);
    this.addSql(`create index "audits_form_version_id_index" on "audits" ("form_version_id");`);
    this.addSql(`create index "audits_status_visited_at_index" on "audits" ("status", "visited_at");`);

    this.addSql(`create table "audit_disputes" ("id" serial primary key, "audit_id" int not null, "agent_id" varchar(64) not null, "reason" text not null, "status" text not null, "resolution_action" text null, "resolution_note" text null, "score_before" double precision null, "score_after" double precision null, "created_at" timestamptz not null, "created_by_user_id" int null, "created_by" text null, "resolved_at" timestamptz null, "resolved_by" text null);`);
    this.addSql(`alter table "audit_disputes" add constraint "audit_disputes_audit_id_unique" unique ("audit_id");`);
    this.addSql(`create index "audit_disputes_agent_id_index" on "audit_disputes" ("agent_id");`);

    this.addSql(`create table "audit_log" ("id" bigserial primary key, "entity_type" varchar(32) not null, "entity_id" int not null, "audit_id" int null, "action" varchar(32) not null, "actor_user_id" int null, "actor" text null, "at" timestamptz not null, "before" jsonb null, "after" jsonb null);`);
    this.addSql(`create index "audit_log_audit_id_index" on "audit_log" ("audit_id");`);
    this.addSql(`create index "audit_log_entity_index" on "audit_log" ("entity_type", "entity_id");`);

    this.addSql(`create table "calibration_sessions" ("id" serial primary key, "title" text not null, "form_version_id" int not null, "channel" text not null, "interaction_ref" text not null, "agent_id" varchar(64) null, "created_at" timestamptz not null, "created_by" text null, "closed_at" timestamptz null, "closed_by" text null);`);

    this.addSql(`create table "calibration_scores" ("id" serial primary key, "session_id" int not null, "auditor_user_id" int not null, "auditor_email" text not null, "answers" jsonb not null, "score" double precision null, "auto_failed" boolean not null, "created_at" timestamptz not null, "updated_at" timestamptz not null);`);
    this.addSql(`alter table "calibration_scores" add constraint "calibration_scores_session_auditor_unique" unique ("session_id", "auditor_user_id");`);

    this.addSql(`create table "feedback_answers" ("assignment_id" int not null, "question_id" int not null, "rating" smallint null, primary key ("assignment_id", "question_id"));`);
    this.addSql(`create index "feedback_answers_question_id_index" on "feedback_answers" ("question_id");`);

    this.addSql(`create table "feedback_assignments" ("id" serial primary key, "cycle_id" int not null, "subject_agent_id" varchar(64) not null, "rater_user_id" int not null, "rater_group" varchar(16) not null);`);
    this.addSql(`create index "feedback_assignments_rater_user_id_index" on "feedback_assignments" ("rater_user_id");`);
    this.addSql(`alter table "feedback_assignments" add constraint "feedback_assignments_cycle_subject_rater_unique" unique ("cycle_id", "subject_agent_id", "rater_user_id");`);

    this.addSql(`create table "feedback_changes" ("id" serial primary key, "cycle_id" int not null, "kind" varchar(16) not null);`);
    this.addSql(`alter table "feedback_changes" add constraint "feedback_changes_cycle_kind_unique" unique ("cycle_id", "kind");`);

    this.addSql(`create table "feedback_comments" ("assignment_id" int not null, "competency_id" int not null, "text" text not null, primary key ("assignment_id", "competency_id"));`);

    this.addSql(`create table "feedback_competencies" ("id" serial primary key, "cycle_id" int not null, "position" int not null, "name" text not null, "description" text null);`);
    this.addSql(`alter table "feedback_competencies" add constraint "feedback_competencies_cycle_position_unique" unique ("cycle_id", "position");`);

    this.addSql(`create table "feedback_cycles" ("id" serial primary key, "name" text not null, "opens_on" date not null, "closes_on" date not null, "created_at" timestamptz not null, "created_by" text null);`);
    this.addSql(`create index "feedback_cycles_closes_on_index" on "feedback_cycles" ("closes_on");`);

    this.addSql(`create table "feedback_questions" ("id" serial primary key, "cycle_id" int not null, "competency_id" int not null, "position" int not null, "text" text not null);`);
    this.addSql(`create index "feedback_questions_cycle_id_index" on "feedback_questions" ("cycle_id");`);
    this.addSql(`alter table "feedback_questions" add constraint "feedback_questions_competency_position_unique" unique ("competency_id", "position");`);

    this.addSql(`create table "feedback_responses" ("assignment_id" int not null, "comment" text null, primary key ("assignment_id"));`);

    this.addSql(`create table "feedback_subjects" ("cycle_id" int not null, "agent_id" varchar(64) not null, primary key ("cycle_id", "agent_id"));`);
    this.addSql(`create index "feedback_subjects_agent_id_index" on "feedback_subjects" ("agent_id");`);

    this.addSql(`create or replace function "audit_forms_immutable_fn"() returns trigger as \$\$ begin raise exception '% rows are immutable: published data never changes, publish a new version instead', tg_table_name using errcode = 'integrity_constraint_violation'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE OR DELETE on "audit_forms" for each ROW execute function "audit_forms_immutable_fn"();`);

    this.addSql(`alter table "audit_form_versions" add constraint "audit_form_versions_form_id_foreign" foreign key ("form_id") references "audit_forms" ("id");`);
    this.addSql(`create or replace function "audit_form_versions_immutable_fn"() returns trigger as \$\$ begin raise exception '% rows are immutable: published data never changes, publish a new version instead', tg_table_name using errcode = 'integrity_constraint_violation'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE OR DELETE on "audit_form_versions" for each ROW execute function "audit_form_versions_immutable_fn"();`);

    this.addSql(`alter table "audit_form_retirements" add constraint "audit_form_retirements_form_version_id_foreign" foreign key ("form_version_id") references "audit_form_versions" ("id") on update cascade on delete cascade;`);
    this.addSql(`create or replace function "audit_form_retirements_immutable_fn"() returns trigger as \$\$ begin raise exception '% rows are immutable: published data never changes, publish a new version instead', tg_table_name using errcode = 'integrity_constraint_violation'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE OR DELETE on "audit_form_retirements" for each ROW execute function "audit_form_retirements_immutable_fn"();`);

    this.addSql(`alter table "audits" add constraint "audits_form_version_id_foreign" foreign key ("form_version_id") references "audit_form_versions" ("id");`);
    this.addSql(`alter table "audits" add constraint "audits_channel_check" check ("channel" in ('phone', 'chat', 'email', 'store', 'other'));`);
    this.addSql(`alter table "audits" add constraint "audits_status_check" check ("status" in ('draft', 'final', 'voided'));`);

    this.addSql(`alter table "audit_disputes" add constraint "audit_disputes_audit_id_foreign" foreign key ("audit_id") references "audits" ("id");`);
    this.addSql(`alter table "audit_disputes" add constraint "audit_disputes_status_check" check ("status" in ('open', 'upheld', 'rejected'));`);
    this.addSql(`alter table "audit_disputes" add constraint "audit_disputes_resolution_action_check" check ("resolution_action" in ('void', 'rescore'));`);

    this.addSql(`create or replace function "audit_log_immutable_fn"() returns trigger as \$\$ begin raise exception '% rows are immutable: published data never changes, publish a new version instead', tg_table_name using errcode = 'integrity_constraint_violation'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE OR DELETE on "audit_log" for each ROW execute function "audit_log_immutable_fn"();`);

    this.addSql(`alter table "calibration_sessions" add constraint "calibration_sessions_form_version_id_foreign" foreign key ("form_version_id") references "audit_form_versions" ("id");`);
    this.addSql(`alter table "calibration_sessions" add constraint "calibration_sessions_channel_check" check ("channel" in ('phone', 'chat', 'email', 'store', 'other'));`);

    this.addSql(`alter table "calibration_scores" add constraint "calibration_scores_session_id_foreign" foreign key ("session_id") references "calibration_sessions" ("id");`);

    this.addSql(`alter table "feedback_answers" add constraint "feedback_answers_rating_check" check (rating >= 1 and rating <= 5);`);

    this.addSql(`alter table "feedback_assignments" add constraint "feedback_assignments_rater_group_check" check (rater_group in ('self', 'manager', 'peer', 'direct_report', 'customer'));`);

    this.addSql(`create or replace function "feedback_changes_immutable_fn"() returns trigger as \$\$ begin raise exception '% rows are immutable: published data never changes, publish a new version instead', tg_table_name using errcode = 'integrity_constraint_violation'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE OR DELETE on "feedback_changes" for each ROW execute function "feedback_changes_immutable_fn"();`);

    this.addSql(`alter table "feedback_cycles" add constraint "feedback_cycles_dates_check" check (opens_on <= closes_on);`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "audit_form_versions" drop constraint "audit_form_versions_form_id_foreign";`);
    this.addSql(`alter table "audit_form_retirements" drop constraint "audit_form_retirements_form_version_id_foreign";`);
    this.addSql(`alter table "audits" drop constraint "audits_form_version_id_foreign";`);
    this.addSql(`alter table "calibration_sessions" drop constraint "calibration_sessions_form_version_id_foreign";`);
    this.addSql(`alter table "audit_disputes" drop constraint "audit_disputes_audit_id_foreign";`);
    this.addSql(`alter table "calibration_scores" drop constraint "calibration_scores_session_id_foreign";`);

    this.addSql(`drop trigger if exists "immutable" on "audit_forms";`);
    this.addSql(`drop function if exists "audit_forms_immutable_fn"();`);
    this.addSql(`drop table if exists "audit_forms" cascade;`);
    this.addSql(`drop trigger if exists "immutable" on "audit_form_versions";`);
    this.addSql(`drop function if exists "audit_form_versions_immutable_fn"();`);
    this.addSql(`drop table if exists "audit_form_versions" cascade;`);
    this.addSql(`drop trigger if exists "immutable" on "audit_form_retirements";`);
    this.addSql(`drop function if exists "audit_form_retirements_immutable_fn"();`);
    this.addSql(`drop table if exists "audit_form_retirements" cascade;`);
    this.addSql(`drop table if exists "audits" cascade;`);
    this.addSql(`drop table if exists "audit_disputes" cascade;`);
    this.addSql(`drop trigger if exists "immutable" on "audit_log";`);
    this.addSql(`drop function if exists "audit_log_immutable_fn"();`);
    this.addSql(`drop table if exists "audit_log" cascade;`);
    this.addSql(`drop table if exists "calibration_sessions" cascade;`);
    this.addSql(`drop table if exists "calibration_scores" cascade;`);
    this.addSql(`drop table if exists "feedback_answers" cascade;`);
    this.addSql(`drop table if exists "feedback_assignments" cascade;`);
    this.addSql(`drop trigger if exists "immutable" on "feedback_changes";`);
    this.addSql(`drop function if exists "feedback_changes_immutable_fn"();`);
    this.addSql(`drop table if exists "feedback_changes" cascade;`);
    this.addSql(`drop table if exists "feedback_comments" cascade;`);
    this.addSql(`drop table if exists "feedback_competencies" cascade;`);
    this.addSql(`drop table if exists "feedback_cycles" cascade;`);
    this.addSql(`drop table if exists "feedback_questions" cascade;`);
    this.addSql(`drop table if exists "feedback_responses" cascade;`);
    this.addSql(`drop table if exists "feedback_subjects" cascade;`);
  }

}
