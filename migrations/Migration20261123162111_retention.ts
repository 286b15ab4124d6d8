import { Migration } from '@mikro-orm/migrations';

export class Migration20261123162111_retention extends Migration {

  override name = 'Migration20261123162111_retention';

  override up(): void | Promise<void> {
    this.addSql(`create table "win_back_tasks" ("id" serial primary key, "customer_id" varchar(64) not null, "agent_id" varchar(64) not null, "source" text not null, "list_as_of" date null, "risk_level" varchar(8) null, "tier" varchar(16) null, "signals" jsonb null, "p_alive" double precision null, "clv" double precision null, "opened_on" date not null, "opened_at" timestamptz not null, "opened_by" text not null, "open_note" text null, "due_on" date not null, "window_ends_on" date not null, "status" text not null, "outcome" text null, "churn_reason" varchar(32) null, "churn_controllable" boolean null, "close_note" text null, "closed_at" timestamptz null, "closed_by" text null, "confirmation" text not null, "settled_at" timestamptz null, "confirming_order_id" varchar(64) null, "confirming_order_on" date null);`);
    this.addSql(`create index "win_back_tasks_agent_id_index" on "win_back_tasks" ("agent_id");`);
    this.addSql(`create index "win_back_tasks_customer_id_index" on "win_back_tasks" ("customer_id");`);
    this.addSql(`create index "win_back_tasks_window_ends_on_index" on "win_back_tasks" ("window_ends_on");`);
    this.addSql(`create unique index "win_back_tasks_one_open_per_customer" on "win_back_tasks" ("customer_id") where "status" = 'open';`);
    this.addSql(`create unique index "win_back_tasks_weekly_once_per_day" on "win_back_tasks" ("customer_id", "list_as_of") where "source" = 'weekly';`);

    this.addSql(`create table "win_back_contacts" ("id" serial primary key, "task_id" int not null, "channel" text not null, "at" timestamptz not null, "note" text null, "recorded_by" text not null, "recorded_at" timestamptz not null);`);
    this.addSql(`create index "win_back_contacts_task_id_index" on "win_back_contacts" ("task_id");`);

    this.addSql(`create table "win_back_task_events" ("id" bigserial primary key, "task_id" int not null, "action" varchar(16) not null, "at" timestamptz not null, "actor" text null, "data" jsonb null);`);
    this.addSql(`create index "win_back_task_events_task_id_index" on "win_back_task_events" ("task_id");`);

    this.addSql(`alter table "win_back_tasks" add constraint "win_back_tasks_source_check" check ("source" in ('weekly', 'manual'));`);
    this.addSql(`alter table "win_back_tasks" add constraint "win_back_tasks_status_check" check ("status" in ('open', 'closed'));`);
    this.addSql(`alter table "win_back_tasks" add constraint "win_back_tasks_outcome_check" check ("outcome" in ('retained', 'lost', 'not_pursued'));`);
    this.addSql(`alter table "win_back_tasks" add constraint "win_back_tasks_confirmation_check" check ("confirmation" in ('pending', 'confirmed', 'not_confirmed'));`);

    this.addSql(`alter table "win_back_contacts" add constraint "win_back_contacts_task_id_foreign" foreign key ("task_id") references "win_back_tasks" ("id");`);
    this.addSql(`alter table "win_back_contacts" add constraint "win_back_contacts_channel_check" check ("channel" in ('phone', 'email', 'chat', 'social', 'in_person'));`);
    this.addSql(`create or replace function "win_back_contacts_immutable_fn"() returns trigger as \$\$ begin raise exception '% rows are immutable: published data never changes, publish a new version instead', tg_table_name using errcode = 'integrity_constraint_violation'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE OR DELETE on "win_back_contacts" for each ROW execute function "win_back_contacts_immutable_fn"();`);

    this.addSql(`create or replace function "win_back_task_events_immutable_fn"() returns trigger as \$\$ begin raise exception '% rows are immutable: published data never changes, publish a new version instead', tg_table_name using errcode = 'integrity_constraint_violation'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE OR DELETE on "win_back_task_events" for each ROW execute function "win_back_task_events_immutable_fn"();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "win_back_contacts" drop constraint "win_back_contacts_task_id_foreign";`);

    this.addSql(`drop table if exists "win_back_tasks" cascade;`);
    this.addSql(`drop trigger if exists "immutable" on "win_back_contacts";`);
    this.addSql(`drop function if exists "win_back_contacts_immutable_fn"();`);
    this.addSql(`drop table if exists "win_back_contacts" cascade;`);
    this.addSql(`drop trigger if exists "immutable" on "win_back_task_events";`);
    this.addSql(`drop function if exists "win_back_task_events_immutable_fn"();`);
    this.addSql(`drop table if exists "win_back_task_events" cascade;`);
  }

}
