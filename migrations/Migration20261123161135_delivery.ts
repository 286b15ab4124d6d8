import { Migration } from '@mikro-orm/migrations';

export class Migration20261123161135_delivery extends Migration {

  override name = 'Migration20261123161135_delivery';

  override up(): void | Promise<void> {
    this.addSql(`create table "deliveries" ("id" serial primary key, "run_id" int not null, "user_id" int not null, "email" text not null, "snapshot_id" int not null, "status" varchar(16) not null, "attempts" int not null default 0, "last_error" text null, "next_attempt_at" timestamptz null, "last_attempt_at" timestamptz null, "sent_at" timestamptz null, "message_id" text null, "created_at" timestamptz not null);`);
    this.addSql(`create index "deliveries_status_next_attempt_index" on "deliveries" ("status", "next_attempt_at");`);
    this.addSql(`alter table "deliveries" add constraint "deliveries_run_user_unique" unique ("run_id", "user_id");`);

    this.addSql(`create table "delivery_attempts" ("id" serial primary key, "delivery_id" int not null, "attempt" int not null, "started_at" timestamptz not null, "finished_at" timestamptz not null, "ok" boolean not null, "error" text null, "message_id" text null, "destination" text null);`);
    this.addSql(`alter table "delivery_attempts" add constraint "delivery_attempts_delivery_attempt_unique" unique ("delivery_id", "attempt");`);

    this.addSql(`create table "delivery_reports" ("delivery_id" int not null, "report_id" int not null, primary key ("delivery_id", "report_id"));`);

    this.addSql(`create table "subscriptions" ("id" serial primary key, "user_id" int not null, "scope" varchar(8) not null, "team_id" varchar(64) null, "created_at" timestamptz not null, "created_by" text null);`);
    this.addSql(`create index "subscriptions_user_id_index" on "subscriptions" ("user_id");`);
    this.addSql(`create unique index "subscriptions_user_scope_team_unique" on "subscriptions" ("user_id", "scope", coalesce("team_id", ''));`);

    this.addSql(`alter table "deliveries" add constraint "deliveries_status_check" check (status in ('pending', 'sent', 'failed', 'skipped'));`);

    this.addSql(`create or replace function "delivery_attempts_immutable_fn"() returns trigger as \$\$ begin raise exception '% rows are immutable: published data never changes, publish a new version instead', tg_table_name using errcode = 'integrity_constraint_violation'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE OR DELETE on "delivery_attempts" for each ROW execute function "delivery_attempts_immutable_fn"();`);

    this.addSql(`create or replace function "delivery_reports_immutable_fn"() returns trigger as \$\$ begin raise exception '% rows are immutable: published data never changes, publish a new version instead', tg_table_name using errcode = 'integrity_constraint_violation'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE OR DELETE on "delivery_reports" for each ROW execute function "delivery_reports_immutable_fn"();`);

    this.addSql(`alter table "subscriptions" add constraint "subscriptions_scope_check" check ((scope = 'team' and team_id is not null) or (scope in ('org', 'self') and team_id is null));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "deliveries" cascade;`);
    this.addSql(`drop trigger if exists "immutable" on "delivery_attempts";`);
    this.addSql(`drop function if exists "delivery_attempts_immutable_fn"();`);
    this.addSql(`drop table if exists "delivery_attempts" cascade;`);
    this.addSql(`drop trigger if exists "immutable" on "delivery_reports";`);
    this.addSql(`drop function if exists "delivery_reports_immutable_fn"();`);
    this.addSql(`drop table if exists "delivery_reports" cascade;`);
    this.addSql(`drop table if exists "subscriptions" cascade;`);
  }

}
