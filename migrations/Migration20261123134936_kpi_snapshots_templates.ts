import { Migration } from '@mikro-orm/migrations';

export class Migration20261123134936_kpi_snapshots_templates extends Migration {

  override name = 'Migration20261123134936_kpi_snapshots_templates';

  override up(): void | Promise<void> {
    this.addSql(`create table "period_snapshots" ("id" serial primary key, "period" varchar(7) not null, "version" int not null, "definitions_version" int not null, "template_version_id" int not null, "reason" text null, "data_version" bigint not null, "settings" jsonb not null, "created_at" timestamptz not null, "created_by" text null);`);
    this.addSql(`alter table "period_snapshots" add constraint "period_snapshots_period_version_unique" unique ("period", "version");`);

    this.addSql(`create table "scorecard_templates" ("id" serial primary key, "name" text not null, "is_default" boolean not null default false, "created_at" timestamptz not null);`);
    this.addSql(`alter table "scorecard_templates" add constraint "scorecard_templates_name_unique" unique ("name");`);

    this.addSql(`create table "scorecard_template_versions" ("id" serial primary key, "template_id" int not null, "version" int not null, "definition" jsonb not null, "created_at" timestamptz not null, "created_by" text null);`);
    this.addSql(`alter table "scorecard_template_versions" add constraint "scorecard_template_versions_template_version_unique" unique ("template_id", "version");`);

    this.addSql(`create table "snapshot_subjects" ("snapshot_id" int not null, "subject_type" varchar(8) not null, "subject_id" varchar(64) not null, "name" text null, "team_id" varchar(64) null, "kpis" jsonb not null, "scorecard" jsonb null, primary key ("snapshot_id", "subject_type", "subject_id"));`);

    this.addSql(`create or replace function "period_snapshots_immutable_fn"() returns trigger as \$\$ begin raise exception '% rows are immutable: published data never changes, publish a new version instead', tg_table_name using errcode = 'integrity_constraint_violation'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE OR DELETE on "period_snapshots" for each ROW execute function "period_snapshots_immutable_fn"();`);

    this.addSql(`create or replace function "scorecard_template_versions_immutable_fn"() returns trigger as \$\$ begin raise exception '% rows are immutable: published data never changes, publish a new version instead', tg_table_name using errcode = 'integrity_constraint_violation'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE OR DELETE on "scorecard_template_versions" for each ROW execute function "scorecard_template_versions_immutable_fn"();`);

    this.addSql(`create or replace function "snapshot_subjects_immutable_fn"() returns trigger as \$\$ begin raise exception '% rows are immutable: published data never changes, publish a new version instead', tg_table_name using errcode = 'integrity_constraint_violation'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE OR DELETE on "snapshot_subjects" for each ROW execute function "snapshot_subjects_immutable_fn"();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "immutable" on "period_snapshots";`);
    this.addSql(`drop function if exists "period_snapshots_immutable_fn"();`);
    this.addSql(`drop table if exists "period_snapshots" cascade;`);
    this.addSql(`drop table if exists "scorecard_templates" cascade;`);
    this.addSql(`drop trigger if exists "immutable" on "scorecard_template_versions";`);
    this.addSql(`drop function if exists "scorecard_template_versions_immutable_fn"();`);
    this.addSql(`drop table if exists "scorecard_template_versions" cascade;`);
    this.addSql(`drop trigger if exists "immutable" on "snapshot_subjects";`);
    this.addSql(`drop function if exists "snapshot_subjects_immutable_fn"();`);
    this.addSql(`drop table if exists "snapshot_subjects" cascade;`);
  }

}
