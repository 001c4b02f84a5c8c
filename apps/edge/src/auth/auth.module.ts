import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { MeridianConfig } from '@meridian/config';
import { Role, User } from '@meridian/persistence';
import { WellKnownModule } from '../well-known/well-known.module';
import { AuthChallenges } from './auth-challenges';
import { EDGE_DATA_SOURCE } from './auth.constants';
import { EdgeAuthGuard } from './edge-auth.guard';
import { IdentityService } from './identity.service';
import { JwtStrategy } from './jwt.strategy';
import { PrincipalResolver } from './principal.resolver';
import { ScopePolicy } from './scope.policy';

/**
 * Who may call the edge: the global guard, JWT verification (only when MCP_AUTH_ENABLED; the
 * strategy needs a key source), identity resolution and scope checks.
 */
@Module({})
export class AuthModule {
  static forRoot(config: MeridianConfig): DynamicModule {
    return {
      module: AuthModule,
      imports: [TypeOrmModule.forFeature([User, Role], EDGE_DATA_SOURCE), WellKnownModule],
      providers: [
        AuthChallenges,
        IdentityService,
        PrincipalResolver,
        ScopePolicy,
        { provide: APP_GUARD, useClass: EdgeAuthGuard },
        ...(config.auth.enabled ? [JwtStrategy] : []),
      ],
      exports: [PrincipalResolver, ScopePolicy, IdentityService],
    };
  }
}
