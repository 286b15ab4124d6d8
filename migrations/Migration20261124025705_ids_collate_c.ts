import { Migration } from '@mikro-orm/migrations';

export class Migration20261124025705_ids_collate_c extends Migration {

  override name = 'Migration20261124025705_ids_collate_c';

  override up(): void | Promise<void> {
    this.addSql(`alter table "agents" alter column "agent_id" type varchar(64) collate "C" using ("agent_id"::varchar(64));`);
    this.addSql(`alter table "agents" alter column "team_id" type varchar(64) collate "C" using ("team_id"::varchar(64));`);

    this.addSql(`alter table "assignments" alter column "agent_id" type varchar(64) collate "C" using ("agent_id"::varchar(64));`);
    this.addSql(`alter table "assignments" alter column "customer_id" type varchar(64) collate "C" using ("customer_id"::varchar(64));`);

    this.addSql(`alter table "audits" alter column "agent_id" type varchar(64) collate "C" using ("agent_id"::varchar(64));`);

    this.addSql(`alter table "audit_disputes" alter column "agent_id" type varchar(64) collate "C" using ("agent_id"::varchar(64));`);

    this.addSql(`alter table "calibration_sessions" alter column "agent_id" type varchar(64) collate "C" using ("agent_id"::varchar(64));`);

    this.addSql(`alter table "customers" alter column "customer_id" type varchar(64) collate "C" using ("customer_id"::varchar(64));`);
    this.addSql(`alter table "customers" alter column "owner_agent_id" type varchar(64) collate "C" using ("owner_agent_id"::varchar(64));`);

    this.addSql(`alter table "feedback_assignments" alter column "subject_agent_id" type varchar(64) collate "C" using ("subject_agent_id"::varchar(64));`);

    this.addSql(`alter table "feedback_subjects" alter column "agent_id" type varchar(64) collate "C" using ("agent_id"::varchar(64));`);

    this.addSql(`drop index "orders_customer_day_idx";`);
    this.addSql(`alter table "orders" alter column "customer_id" type varchar(64) collate "C" using ("customer_id"::varchar(64));`);
    this.addSql(`alter table "orders" alter column "order_id" type varchar(64) collate "C" using ("order_id"::varchar(64));`);
    this.addSql(`create index "orders_customer_day_idx" on "orders" ("customer_id", "ordered_on") include ("status", "amount", "gross_margin");`);

    this.addSql(`alter table "reports" alter column "subject_id" type varchar(64) collate "C" using ("subject_id"::varchar(64));`);
    this.addSql(`alter table "reports" alter column "team_id" type varchar(64) collate "C" using ("team_id"::varchar(64));`);

    this.addSql(`alter table "snapshot_sections" alter column "subject_id" type varchar(64) collate "C" using ("subject_id"::varchar(64));`);

    this.addSql(`alter table "snapshot_subjects" alter column "subject_id" type varchar(64) collate "C" using ("subject_id"::varchar(64));`);
    this.addSql(`alter table "snapshot_subjects" alter column "team_id" type varchar(64) collate "C" using ("team_id"::varchar(64));`);

    this.addSql(`alter table "subscriptions" alter column "team_id" type varchar(64) collate "C" using ("team_id"::varchar(64));`);

    this.addSql(`alter table "surveys" alter column "agent_id" type varchar(64) collate "C" using ("agent_id"::varchar(64));`);
    this.addSql(`alter table "surveys" alter column "customer_id" type varchar(64) collate "C" using ("customer_id"::varchar(64));`);
    this.addSql(`alter table "surveys" alter column "survey_id" type varchar(64) collate "C" using ("survey_id"::varchar(64));`);
    this.addSql(`alter table "surveys" alter column "ticket_id" type varchar(64) collate "C" using ("ticket_id"::varchar(64));`);

    this.addSql(`alter table "teams" alter column "parent_team_id" type varchar(64) collate "C" using ("parent_team_id"::varchar(64));`);
    this.addSql(`alter table "teams" alter column "team_id" type varchar(64) collate "C" using ("team_id"::varchar(64));`);

    this.addSql(`alter table "tickets" alter column "agent_id" type varchar(64) collate "C" using ("agent_id"::varchar(64));`);
    this.addSql(`alter table "tickets" alter column "customer_id" type varchar(64) collate "C" using ("customer_id"::varchar(64));`);
    this.addSql(`alter table "tickets" alter column "team_id" type varchar(64) collate "C" using ("team_id"::varchar(64));`);
    this.addSql(`alter table "tickets" alter column "ticket_id" type varchar(64) collate "C" using ("ticket_id"::varchar(64));`);

    this.addSql(`alter table "training" alter column "agent_id" type varchar(64) collate "C" using ("agent_id"::varchar(64));`);
    this.addSql(`alter table "training" alter column "training_id" type varchar(64) collate "C" using ("training_id"::varchar(64));`);

    this.addSql(`alter table "users" alter column "agent_id" type varchar(64) collate "C" using ("agent_id"::varchar(64));`);

    this.addSql(`alter table "user_teams" alter column "team_id" type varchar(64) collate "C" using ("team_id"::varchar(64));`);

    this.addSql(`alter table "win_back_tasks" alter column "agent_id" type varchar(64) collate "C" using ("agent_id"::varchar(64));`);
    this.addSql(`alter table "win_back_tasks" alter column "confirming_order_id" type varchar(64) collate "C" using ("confirming_order_id"::varchar(64));`);
    this.addSql(`alter table "win_back_tasks" alter column "customer_id" type varchar(64) collate "C" using ("customer_id"::varchar(64));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "agents" alter column "agent_id" type varchar(64) using ("agent_id"::varchar(64));`);
    this.addSql(`alter table "agents" alter column "team_id" type varchar(64) using ("team_id"::varchar(64));`);

    this.addSql(`alter table "assignments" alter column "customer_id" type varchar(64) using ("customer_id"::varchar(64));`);
    this.addSql(`alter table "assignments" alter column "agent_id" type varchar(64) using ("agent_id"::varchar(64));`);

    this.addSql(`alter table "audit_disputes" alter column "agent_id" type varchar(64) using ("agent_id"::varchar(64));`);

    this.addSql(`alter table "audits" alter column "agent_id" type varchar(64) using ("agent_id"::varchar(64));`);

    this.addSql(`alter table "calibration_sessions" alter column "agent_id" type varchar(64) using ("agent_id"::varchar(64));`);

    this.addSql(`alter table "customers" alter column "customer_id" type varchar(64) using ("customer_id"::varchar(64));`);
    this.addSql(`alter table "customers" alter column "owner_agent_id" type varchar(64) using ("owner_agent_id"::varchar(64));`);

    this.addSql(`alter table "feedback_assignments" alter column "subject_agent_id" type varchar(64) using ("subject_agent_id"::varchar(64));`);

    this.addSql(`alter table "feedback_subjects" alter column "agent_id" type varchar(64) using ("agent_id"::varchar(64));`);

    this.addSql(`drop index "orders_customer_day_idx";`);
    this.addSql(`alter table "orders" alter column "order_id" type varchar(64) using ("order_id"::varchar(64));`);
    this.addSql(`alter table "orders" alter column "customer_id" type varchar(64) using ("customer_id"::varchar(64));`);
    this.addSql(`create index "orders_customer_day_idx" on "orders" ("customer_id", "ordered_on");`);

    this.addSql(`alter table "reports" alter column "subject_id" type varchar(64) using ("subject_id"::varchar(64));`);
    this.addSql(`alter table "reports" alter column "team_id" type varchar(64) using ("team_id"::varchar(64));`);

    this.addSql(`alter table "snapshot_sections" alter column "subject_id" type varchar(64) using ("subject_id"::varchar(64));`);

    this.addSql(`alter table "snapshot_subjects" alter column "subject_id" type varchar(64) using ("subject_id"::varchar(64));`);
    this.addSql(`alter table "snapshot_subjects" alter column "team_id" type varchar(64) using ("team_id"::varchar(64));`);

    this.addSql(`alter table "subscriptions" alter column "team_id" type varchar(64) using ("team_id"::varchar(64));`);

    this.addSql(`alter table "surveys" alter column "survey_id" type varchar(64) using ("survey_id"::varchar(64));`);
    this.addSql(`alter table "surveys" alter column "customer_id" type varchar(64) using ("customer_id"::varchar(64));`);
    this.addSql(`alter table "surveys" alter column "agent_id" type varchar(64) using ("agent_id"::varchar(64));`);
    this.addSql(`alter table "surveys" alter column "ticket_id" type varchar(64) using ("ticket_id"::varchar(64));`);

    this.addSql(`alter table "teams" alter column "team_id" type varchar(64) using ("team_id"::varchar(64));`);
    this.addSql(`alter table "teams" alter column "parent_team_id" type varchar(64) using ("parent_team_id"::varchar(64));`);

    this.addSql(`alter table "tickets" alter column "ticket_id" type varchar(64) using ("ticket_id"::varchar(64));`);
    this.addSql(`alter table "tickets" alter column "customer_id" type varchar(64) using ("customer_id"::varchar(64));`);
    this.addSql(`alter table "tickets" alter column "agent_id" type varchar(64) using ("agent_id"::varchar(64));`);
    this.addSql(`alter table "tickets" alter column "team_id" type varchar(64) using ("team_id"::varchar(64));`);

    this.addSql(`alter table "training" alter column "training_id" type varchar(64) using ("training_id"::varchar(64));`);
    this.addSql(`alter table "training" alter column "agent_id" type varchar(64) using ("agent_id"::varchar(64));`);

    this.addSql(`alter table "user_teams" alter column "team_id" type varchar(64) using ("team_id"::varchar(64));`);

    this.addSql(`alter table "users" alter column "agent_id" type varchar(64) using ("agent_id"::varchar(64));`);

    this.addSql(`alter table "win_back_tasks" alter column "customer_id" type varchar(64) using ("customer_id"::varchar(64));`);
    this.addSql(`alter table "win_back_tasks" alter column "agent_id" type varchar(64) using ("agent_id"::varchar(64));`);
    this.addSql(`alter table "win_back_tasks" alter column "confirming_order_id" type varchar(64) using ("confirming_order_id"::varchar(64));`);
  }

}
