import { Migration } from '@mikro-orm/migrations';

export class Migration20261123171027_snapshot_sections extends Migration {

  override name = 'Migration20261123171027_snapshot_sections';

  override up(): void | Promise<void> {
    this.addSql(`create table "snapshot_sections" ("snapshot_id" int not null, "section" text not null, "subject_type" varchar(8) not null, "subject_id" varchar(64) not null, "data" jsonb not null, primary key ("snapshot_id", "section", "subject_type", "subject_id"));`);

    this.addSql(`create or replace function "snapshot_sections_immutable_fn"() returns trigger as \$\$ begin raise exception '% rows are immutable: published data never changes, publish a new version instead', tg_table_name using errcode = 'integrity_constraint_violation'; end; \$\$ language plpgsql;`);
    this.addSql(`create trigger "immutable" BEFORE UPDATE OR DELETE on "snapshot_sections" for each ROW execute function "snapshot_sections_immutable_fn"();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "immutable" on "snapshot_sections";`);
    this.addSql(`drop function if exists "snapshot_sections_immutable_fn"();`);
    this.addSql(`drop table if exists "snapshot_sections" cascade;`);
  }

}
