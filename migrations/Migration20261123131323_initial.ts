import { Migration } from '@mikro-orm/migrations';

export class Migration20261123131323_initial extends Migration {

  override name = 'Migration20261123131323_initial';

  override up(): void | Promise<void> {
    this.addSql(`create table "agents" ("agent_id" varchar(64) not null, "name" text not null, "email" text null, "team_id" varchar(64) not null, "title" text null, "hired_on" date not null, "left_on" date null, primary key ("agent_id"));`);
    this.addSql(`create index "agents_team_id_index" on "agents" ("team_id");`);
    this.addSql(`create unique index "agents_email_lower_unique" on "agents" (lower("email")) where "email" is not null;`);

    this.addSql(`create table "assignments" ("customer_id" varchar(64) not null, "assigned_on" date not null, "agent_id" varchar(64) not null, primary key ("customer_id", "assigned_on"));`);
    this.addSql(`create index "assignments_agent_id_index" on "assignments" ("agent_id");`);

    this.addSql(`create table "customers" ("customer_id" varchar(64) not null, "name" text null, "segment" text null, "acquired_on" date not null, "churned_on" date null, "owner_agent_id" varchar(64) null, primary key ("customer_id"));`);
    this.addSql(`create index "customers_owner_agent_id_index" on "customers" ("owner_agent_id");`);

    this.addSql(`create table "import_batches" ("id" bigserial primary key, "entity" varchar(32) not null, "source" text not null, "sha256" varchar(64) not null, "rows" int not null, "inserted" int not null, "updated" int not null, "unchanged" int not null, "imported_by" text null, "created_at" timestamptz not null);`);

    this.addSql(`create table "orders" ("order_id" varchar(64) not null, "customer_id" varchar(64) not null, "ordered_at" timestamptz not null, "ordered_on" date not null, "amount" numeric(16,2) not null, "gross_margin" numeric(16,2) null, "status" varchar(16) not null, primary key ("order_id"));`);
    this.addSql(`create index "orders_customer_day_idx" on "orders" ("customer_id", "ordered_on");`);
    this.addSql(`create index "orders_day_idx" on "orders" ("ordered_on");`);

    this.addSql(`create table "surveys" ("survey_id" varchar(64) not null, "customer_id" varchar(64) not null, "agent_id" varchar(64) not null, "ticket_id" varchar(64) null, "responded_at" timestamptz not null, "csat" smallint null, "nps" smallint null, "ces" smallint null, primary key ("survey_id"));`);
    this.addSql(`create index "surveys_responded_idx" on "surveys" ("responded_at");`);
    this.addSql(`create index "surveys_customer_responded_idx" on "surveys" ("customer_id", "responded_at");`);

    this.addSql(`create table "teams" ("team_id" varchar(64) not null, "name" text not null, "parent_team_id" varchar(64) null, primary key ("team_id"));`);
    this.addSql(`create index "teams_parent_team_id_index" on "teams" ("parent_team_id");`);

    this.addSql(`create table "tickets" ("ticket_id" varchar(64) not null, "customer_id" varchar(64) not null, "agent_id" varchar(64) not null, "team_id" varchar(64) null, "channel" varchar(16) not null, "category" text null, "opened_at" timestamptz not null, "first_response_at" timestamptz null, "resolved_at" timestamptz null, "contact_count" int not null, "reopened" boolean not null, "handle_seconds" int null, "is_complaint" boolean not null, "complaint_category" varchar(32) null, "complaint_controllable" boolean null, primary key ("ticket_id"));`);
    this.addSql(`create index "tickets_opened_idx" on "tickets" ("opened_at");`);
    this.addSql(`create index "tickets_resolved_idx" on "tickets" ("resolved_at");`);
    this.addSql(`create index "tickets_customer_opened_idx" on "tickets" ("customer_id", "opened_at");`);

    this.addSql(`create table "training" ("training_id" varchar(64) not null, "agent_id" varchar(64) not null, "completed_on" date not null, "hours" numeric(10,2) not null, "course" text null, primary key ("training_id"));`);
    this.addSql(`create index "training_agent_id_index" on "training" ("agent_id");`);
    this.addSql(`create index "training_completed_on_index" on "training" ("completed_on");`);

    this.addSql(`create table "users" ("id" serial primary key, "email" text not null, "password_hash" text not null, "role" varchar(16) not null, "agent_id" varchar(64) null, "active" boolean not null default true, "created_at" timestamptz not null, "updated_at" timestamptz not null);`);
    this.addSql(`create unique index "users_email_lower_unique" on "users" (lower("email"));`);

    this.addSql(`create table "user_teams" ("user_id" int not null, "team_id" varchar(64) not null, primary key ("user_id", "team_id"));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "agents" cascade;`);
    this.addSql(`drop table if exists "assignments" cascade;`);
    this.addSql(`drop table if exists "customers" cascade;`);
    this.addSql(`drop table if exists "import_batches" cascade;`);
    this.addSql(`drop table if exists "orders" cascade;`);
    this.addSql(`drop table if exists "surveys" cascade;`);
    this.addSql(`drop table if exists "teams" cascade;`);
    this.addSql(`drop table if exists "tickets" cascade;`);
    this.addSql(`drop table if exists "training" cascade;`);
    this.addSql(`drop table if exists "users" cascade;`);
    this.addSql(`drop table if exists "user_teams" cascade;`);
  }

}
