export { AccessProfile, type Grant, type SchemaGrant } from './access-profile';
export { AccessService, roleSet, type GuardedTool } from './access.service';
export { ADMIN_ROLE, DATA_ACCESS, PROFILE_TTL_MS, type VisibleResource } from './authz.constants';
export { AuthzModule } from './authz.module';
export { GrantsRepository } from './grants.repository';
export { RlsPolicyService } from './rls/rls-policy.service';
export {
  RlsFilterError,
  appliesTo,
  combineRlsPredicate,
  quoteLiteral,
  renderClause,
  type RlsFilterKind,
  type RlsRule,
  type SqlDialect,
} from './rls/rls-predicate';
export { RlsRepository } from './rls/rls.repository';
export { ToolPermissionInterceptor } from './tool-permission.interceptor';
export { ToolSwitches } from './tool-switches';
export {
  canChange,
  scopeQuery,
  visibilityCondition,
  visibleCharts,
  visibleDashboards,
  visibleDatabases,
  visibleDatasets,
  type SqlFragment,
} from './visibility';
