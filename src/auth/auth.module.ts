import { Global, Module } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { UsersController } from '../users/users.controller';
import { UsersService } from '../users/users.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { resolveJwtSecret } from './jwt-secret';
import { ScopeRepository } from '../access/scope.repository';
import { ScopeService } from '../access/scope.service';

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        // one HMAC key object for the process: a string secret would be re-parsed on every check
        const key = createSecretKey(Buffer.from(resolveJwtSecret(config), 'utf8'));
        return { secretOrKeyProvider: () => key, signOptions: { algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } };
      },
    }),
  ],
  controllers: [AuthController, UsersController],
  providers: [AuthService, UsersService, ScopeRepository, ScopeService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, UsersService, ScopeService, ScopeRepository],
})
export class AuthModule {}
