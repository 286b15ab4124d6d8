import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ProblemException } from '../common/problem-details';
import { UsersService } from '../users/users.service';
import type { Principal } from './principal';

const CACHE_MS = 15_000;
/** Verified tokens kept (a client reuses its token for every request); beyond that the map starts over. */
const VERIFIED_TOKENS_MAX = 10_000;

@Injectable()
export class AuthService {
  /** Short-lived principal cache: a token check costs no query on hot read paths. */
  private readonly cache = new Map<number, { principal: Principal | null; until: number }>();
  /**
   * Tokens whose signature has been checked, with their subject and expiry: the same string
   * verifies the same way until it expires, so a repeated token costs a lookup instead of an
   * HMAC and two JSON parses. Expiry is still checked on every request.
   */
  private readonly verified = new Map<string, { sub: string; expiresAt: number }>();

  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(email: string, password: string): Promise<{ access_token: string; expires_in: number }> {
    const userId = await this.users.verifyLogin(email, password);
    if (userId === null) throw new ProblemException(401, 'Unauthorized', 'e-mail or password is wrong');
    const access_token = await this.jwt.signAsync({ sub: String(userId) }, { expiresIn: this.config.jwtExpiresInSeconds });
    return { access_token, expires_in: this.config.jwtExpiresInSeconds };
  }

  /** The principal behind a bearer token, or null when the token or its user is not valid. */
  async authenticate(token: string): Promise<Principal | null> {
    const now = Date.now();
    let sub: string;
    const known = this.verified.get(token);
    if (known && known.expiresAt > now) {
      sub = known.sub;
    } else {
      let exp: number | undefined;
      try {
        ({ sub, exp } = await this.jwt.verifyAsync<{ sub: string; exp?: number }>(token));
      } catch {
        this.verified.delete(token);
        return null;
      }
      if (typeof exp === 'number') {
        if (this.verified.size >= VERIFIED_TOKENS_MAX) this.verified.clear();
        this.verified.set(token, { sub, expiresAt: exp * 1000 });
      }
    }
    const userId = Number(sub);
    if (!Number.isInteger(userId)) return null;
    const hit = this.cache.get(userId);
    if (hit && hit.until > now) return hit.principal;
    const principal = await this.users.principal(userId);
    this.cache.set(userId, { principal, until: now + CACHE_MS });
    return principal;
  }
}
