import { Module } from '@nestjs/common';
import { AccessService } from './access.service';
import { GrantsRepository } from './grants.repository';
import { RlsPolicyService } from './rls/rls-policy.service';
import { RlsRepository } from './rls/rls.repository';
import { ToolPermissionInterceptor } from './tool-permission.interceptor';

/**
 * Role-based access and row-level security. Reads the metadata database through the app's
 * TypeORM DataSource, so the importing app must configure TypeOrmModule.
 */
@Module({
  providers: [GrantsRepository, AccessService, RlsRepository, RlsPolicyService, ToolPermissionInterceptor],
  exports: [AccessService, RlsPolicyService, ToolPermissionInterceptor],
})
export class AuthzModule {}
