import type { Role } from '../users/user.entity';

/** The authenticated caller, as every guard and service sees it. */
export interface Principal {
  userId: number;
  email: string;
  role: Role;
  /** The agent this user is (agents; optionally others). */
  agentId: string | null;
  /** Teams a team lead leads (descendants are added by the scope rule). */
  ledTeamIds: string[];
}
