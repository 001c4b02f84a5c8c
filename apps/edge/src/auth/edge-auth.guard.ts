import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import { AuthenticationError, ServiceUnavailableError } from '@meridian/errors';
import { AuthChallenges, bearerChallenge, TOKEN_DESCRIPTIONS } from './auth-challenges';
import { AUTH_POLICY, LIBRARY_ROUTE_POLICIES, type AuthPolicy } from './auth-policy.decorator';
import { MAX_TOKEN_BYTES, readBearer } from './bearer-token';
import { JWT_STRATEGY } from './jwt.strategy';
import { ScopePolicy } from './scope.policy';
import { KeySourceUnavailable, TokenRejected, UnknownUser } from './token-errors';

/** A request once the guard has run: `user` is the verified token's principal. */
export type AuthenticatedRequest = FastifyRequest & { user?: Principal };

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * The one gate of every edge route (registered globally). Each route's policy comes from its
 * `@Protect(...)` decorator; an undeclared route needs a token. Token verification is passport's
 * (the `meridian-jwt` strategy); its failure path is replaced so every refusal is the house error
 * object with the challenge MCP clients act on.
 */
@Injectable()
export class EdgeAuthGuard extends AuthGuard(JWT_STRATEGY) {
  private readonly logger = new Logger('EdgeAuth');
  private readonly metricsToken?: Buffer;

  constructor(
    private readonly reflector: Reflector,
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
    private readonly challenges: AuthChallenges,
    private readonly scopes: ScopePolicy,
  ) {
    super();
    if (config.metricsBearerToken) this.metricsToken = sha256(config.metricsBearerToken);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const req = http.getRequest<AuthenticatedRequest>();
    const reply = http.getResponse<FastifyReply>();
    const policy = this.policyOf(context, req);
    switch (policy) {
      case 'public':
        return true;
      case 'metrics':
        this.checkMetricsToken(req, reply);
        return true;
      case 'presented-token':
        if (this.config.auth.enabled && readBearer(req.headers).kind === 'bearer') {
          await this.authenticate(context, req, reply);
        }
        return true;
      case 'token':
        if (!this.config.auth.enabled) return true; // the development identity; see PrincipalResolver
        this.scopes.assert(await this.authenticate(context, req, reply), reply);
        return true;
    }
  }

  /**
   * passport's outcome: the principal, or a failure. `err` is what the strategy threw (an unknown
   * user, a broken database); `info` is why the token did not verify.
   */
  override handleRequest<T = Principal>(
    err: unknown,
    user: unknown,
    info: unknown,
    context: ExecutionContext,
  ): T {
    if (!err && user) return user as T;
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const failure = err ?? info;
    if (failure instanceof UnknownUser) {
      this.logger.warn({ username: failure.username }, 'Token refused: no active user');
      throw this.challenges.invalidToken(reply, TOKEN_DESCRIPTIONS.unknownUser, 'User not found');
    }
    if (failure instanceof KeySourceUnavailable) {
      this.logger.error({ err: failure.cause ?? failure }, failure.message);
      throw new ServiceUnavailableError('Token keys are unavailable: try again shortly');
    }
    // A broken database or another fault is not the token's: the exception filter maps it.
    if (err && !(err instanceof TokenRejected)) throw err;
    const { reason, description } = describe(failure);
    this.logger.warn({ reason }, 'Token refused');
    throw this.challenges.invalidToken(reply, description);
  }

  private async authenticate(
    context: ExecutionContext,
    req: AuthenticatedRequest,
    reply: FastifyReply,
  ): Promise<Principal> {
    const credentials = readBearer(req.headers);
    if (credentials.kind === 'absent') throw this.challenges.missingToken(reply, this.scopes.baseScopes);
    const size = Buffer.byteLength(credentials.token);
    if (size === 0 || size > MAX_TOKEN_BYTES) {
      this.logger.warn(
        { reason: size ? `token over ${MAX_TOKEN_BYTES} bytes` : 'empty token' },
        'Token refused',
      );
      throw this.challenges.invalidToken(reply);
    }
    await super.canActivate(context);
    return req.user as Principal;
  }

  /** METRICS_BEARER_TOKEN, compared in constant time; /metrics is public when it is not set. */
  private checkMetricsToken(req: FastifyRequest, reply: FastifyReply): void {
    if (!this.metricsToken) return;
    const credentials = readBearer(req.headers);
    const presented = credentials.kind === 'bearer' ? credentials.token : '';
    if (presented && timingSafeEqual(sha256(presented), this.metricsToken)) return;
    void reply.header(
      'WWW-Authenticate',
      bearerChallenge(
        presented
          ? [
              ['realm', 'metrics'],
              ['error', 'invalid_token'],
            ]
          : [['realm', 'metrics']],
      ),
    );
    throw new AuthenticationError(presented ? 'Invalid token' : 'Authentication required');
  }

  private policyOf(context: ExecutionContext, req: FastifyRequest): AuthPolicy {
    const declared = this.reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (declared) return declared;
    const route = req.routeOptions?.url;
    return (route && LIBRARY_ROUTE_POLICIES[route]) || 'token';
  }
}

/** The log reason and the client-safe description of a verification failure. */
function describe(failure: unknown): { reason: string; description: string } {
  const name = (failure as { name?: unknown } | null)?.name;
  const reason = failure instanceof Error ? failure.message : 'token did not verify';
  if (name === 'TokenExpiredError') return { reason, description: TOKEN_DESCRIPTIONS.expired };
  if (name === 'NotBeforeError') return { reason, description: TOKEN_DESCRIPTIONS.notYetValid };
  return { reason, description: TOKEN_DESCRIPTIONS.invalid };
}
