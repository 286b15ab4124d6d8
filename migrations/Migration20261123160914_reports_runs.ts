import { Migration } from '@mikro-orm/migrations';

export class Migration20261123160914_reports_runs extends Migration {

  override name = 'Migration20261123160914_reports_runs';

  override up(): void | Promise<void> {
    this.addSql(`create table "reports" ("id" serial primary key, "period" varchar(7) not null, "snapshot_id" int not null, "snapshot_version" int not null, "subject_type" varchar(8) not null, "subject_id" varchar(64) not null, "subject_name" text null, "team_id" varchar(64) null, "path" text not null, "sha256" varchar(64) not null, "bytes" int not null, "run_id" int null, "created_at" timestamptz not null);`);
    this.addSql(`create index "reports_period_subject_index" on "reports" ("period", "subject_type", "subject_id");`);
    this.addSql(`alter table "reports" add constraint "reports_snapshot_subject_unique" unique ("snapshot_id", "subject_type", "subject_id");`);

    this.addSql(`create table "report_downloads" ("id" serial primary key, "report_id" int not null, "user_id" int null, "user_email" text null, "role" varchar(16) null, "downloaded_at" timestamptz not null);`);
    this.addSql(`create index "report_downloads_report_index" on "report_downloads" ("report_id");`);

    this.addSql(`create table "runs" ("id" serial primary key, "period" varchar(7) not null, "force" boolean not null default false, "status" varchar(16) not null, "trigger" varchar(8) not null, "requested_by" text null, "snapshot_id" int null, "snapshot_version" int null, "progress_done" int not null default 0, "progress_total" int not null default 0, "delivery_queued_at" timestamptz null, "error" text null, "created_at" timestamptz not null, "started_at" timestamptz null, "finished_at" timestamptz null);`);
    this.addSql(`create index "runs_period_index" on "runs" ("period");`);
    this.addSql(`create unique index "runs_one_active_per_period" on "runs" ("period") where "status" in ('queued', 'running');`);

    this.addSql(`create or replace function "reports_immutable_fn"() returns trigger as \$\$ begin raise exception '% rows are immutable: published data never changes, publish a new version instead', tg_table_name using errcode = 'integrity_constraint_violation'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE OR DELETE on "reports" for each ROW execute function "reports_immutable_fn"();`);

    this.addSql(`create or replace function "report_downloads_immutable_fn"() returns trigger as \$\$ begin raise exception '% rows are immutable: published data never changes, publish a new version instead', tg_table_name using errcode = 'integrity_constraint_violation'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE OR DELETE on "report_downloads" for each ROW execute function "report_downloads_immutable_fn"();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "immutable" on "reports";`);
    this.addSql(`drop function if exists "reports_immutable_fn"();`);
    this.addSql(`drop table if exists "reports" cascade;`);
    this.addSql(`drop trigger if exists "immutable" on "report_downloads";`);
    this.addSql(`drop function if exists "report_downloads_immutable_fn"();`);
    this.addSql(`drop table if exists "report_downloads" cascade;`);
    this.addSql(`drop table if exists "runs" cascade;`);
  }

}
