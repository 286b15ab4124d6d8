import { defineEntity, p } from '@mikro-orm/core';

/** teams.csv — a hierarchy through parent_team_id (no FK: the import checks references and cycles set-based). */
export const TeamSchema = defineEntity({
  name: 'Team',
  tableName: 'teams',
  properties: {
    teamId: p.string().length(64).collation('C').primary().fieldName('team_id'),
    name: p.text(),
    parentTeamId: p.string().length(64).collation('C').nullable().index().fieldName('parent_team_id'),
  },
});
export class Team extends TeamSchema.class {}
TeamSchema.setClass(Team);
