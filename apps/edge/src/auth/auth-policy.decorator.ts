import { SetMetadata } from '@nestjs/common';

/**
 * How a route is protected:
 * - `token`: a valid bearer token is required when MCP_AUTH_ENABLED (the development identity
 *   otherwise); the default for any route that declares nothing, so a new route fails closed.
 * - `presented-token`: public, but a token that is presented must be valid (`/health`).
 * - `metrics`: METRICS_BEARER_TOKEN when it is set, public otherwise.
 * - `public`: nothing is checked (`/ready`, the protected resource metadata).
 */
export type AuthPolicy = 'token' | 'presented-token' | 'metrics' | 'public';

export const AUTH_POLICY = 'meridian:auth-policy';

export const Protect = (policy: AuthPolicy) => SetMetadata(AUTH_POLICY, policy);

/**
 * Routes served by shared libraries (`@meridian/observability`), which cannot carry the edge's
 * decorator; matched on the route pattern.
 */
export const LIBRARY_ROUTE_POLICIES: Readonly<Record<string, AuthPolicy>> = {
  '/health': 'presented-token',
  '/ready': 'public',
};
