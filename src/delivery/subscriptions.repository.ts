import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../database/database.module';
import type { SubscriptionScope } from './subscription.entity';

export interface SubscriptionRow {
  id: number;
  user_id: number;
  email: string;
  scope: SubscriptionScope;
  team_id: string | null;
  created_at: Date;
  created_by: string | null;
}

const SELECT = `select s.id, s.user_id, u.email, s.scope, s.team_id, s.created_at, s.created_by
                  from subscriptions s join users u on u.id = s.user_id`;

/** Table subscriptions. */
@Injectable()
export class SubscriptionsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Every subscription, or one user's. */
  async list(userId: number | null): Promise<SubscriptionRow[]> {
    const r = await this.pool.query<SubscriptionRow>(`${SELECT} where ($1::int is null or s.user_id = $1) order by s.user_id, s.id`, [userId]);
    return r.rows;
  }

  async find(id: number): Promise<SubscriptionRow | null> {
    const r = await this.pool.query<SubscriptionRow>(`${SELECT} where s.id = $1`, [id]);
    return r.rows[0] ?? null;
  }

  /** The new subscription, or null when the user already has this one (unique user, scope, team). */
  async insert(s: { userId: number; scope: SubscriptionScope; teamId: string | null; at: Date; by: string }): Promise<SubscriptionRow | null> {
    const r = await this.pool.query<{ id: number }>(
      `insert into subscriptions (user_id, scope, team_id, created_at, created_by)
       values ($1, $2, $3, $4, $5)
       on conflict (user_id, scope, coalesce(team_id, '')) do nothing
       returning id`,
      [s.userId, s.scope, s.teamId, s.at, s.by],
    );
    return r.rowCount ? this.find(r.rows[0].id) : null;
  }

  async delete(id: number): Promise<void> {
    await this.pool.query('delete from subscriptions where id = $1', [id]);
  }
}
