import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemException } from '../common/problem-details';
import type { Role } from '../users/user.entity';
import { AuthService } from './auth.service';
import type { Principal } from './principal';
import { IS_PUBLIC } from './public.decorator';
import { ROLES_KEY } from './roles.decorator';

/**
 * Global guard: every endpoint needs a valid bearer token (401) unless marked @Public(),
 * and the caller's role must be one of @Roles(...) where given (403).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; principal?: Principal }>();
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new ProblemException(401, 'Unauthorized', 'a bearer token is required (POST /api/v1/auth/login)');
    const principal = await this.auth.authenticate(m[1]);
    if (!principal) throw new ProblemException(401, 'Unauthorized', 'the token is invalid or expired, or its user is inactive');
    req.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(principal.role)) {
      throw new ProblemException(403, 'Forbidden', `role ${principal.role} may not do this (allowed: ${roles.join(', ')})`);
    }
    return true;
  }
}
