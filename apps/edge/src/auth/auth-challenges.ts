import { Injectable } from '@nestjs/common';
import { AuthenticationError, PermissionDeniedError } from '@meridian/errors';
import { ProtectedResource } from '../well-known/protected-resource';

/** What the edge can set a header on: Fastify's reply, whether or not it is hijacked later. */
export interface HeaderSink {
  header(name: string, value: string): unknown;
}

/** Short texts a client may see in `error_description`; operator detail goes to the log only. */
export const TOKEN_DESCRIPTIONS = {
  invalid: 'The access token is invalid',
  expired: 'The access token expired',
  notYetValid: 'The access token is not valid yet',
  unknownUser: 'The access token does not name an active user',
} as const;

/** A value for an auth-param: quoted-string, with the two characters that need it escaped. */
const quoted = (value: string) => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** `Bearer k="v", ...` (RFC 6750 §3), keeping the parameter order given. */
export function bearerChallenge(params: [string, string][]): string {
  if (params.length === 0) return 'Bearer';
  return `Bearer ${params.map(([k, v]) => `${k}=${quoted(v)}`).join(', ')}`;
}

/**
 * The failures of bearer authentication, the way MCP clients (MCP authorization, 2025-11-25) and
 * RFC 6750 expect them: the error object of the house vocabulary in the body, and a
 * `WWW-Authenticate` challenge naming the protected resource metadata so a client can discover
 * the authorization server, or the scopes to ask for. Each method sets the header on the reply
 * and returns the error to throw; the HTTP exception filter then writes status and body.
 */
@Injectable()
export class AuthChallenges {
  constructor(private readonly resource: ProtectedResource) {}

  missingToken(reply: HeaderSink, scopes: string[]): AuthenticationError {
    const params: [string, string][] = [['resource_metadata', this.resource.metadataUrl]];
    if (scopes.length > 0) params.push(['scope', scopes.join(' ')]);
    reply.header('WWW-Authenticate', bearerChallenge(params));
    return new AuthenticationError(
      'Authentication required: send an OAuth access token in the Authorization header (Bearer)',
      { resource_metadata: this.resource.metadataUrl },
    );
  }

  invalidToken(
    reply: HeaderSink,
    description: string = TOKEN_DESCRIPTIONS.invalid,
    message = 'Invalid token',
  ): AuthenticationError {
    reply.header(
      'WWW-Authenticate',
      bearerChallenge([
        ['error', 'invalid_token'],
        ['error_description', description],
        ['resource_metadata', this.resource.metadataUrl],
      ]),
    );
    return new AuthenticationError(message, {
      oauth_error: 'invalid_token',
      resource_metadata: this.resource.metadataUrl,
    });
  }

  insufficientScope(reply: HeaderSink, needed: string[], missing: string[]): PermissionDeniedError {
    reply.header(
      'WWW-Authenticate',
      bearerChallenge([
        ['error', 'insufficient_scope'],
        ['scope', needed.join(' ')],
        ['resource_metadata', this.resource.metadataUrl],
      ]),
    );
    return new PermissionDeniedError(`Insufficient scope: this request needs ${missing.join(', ')}`, {
      oauth_error: 'insufficient_scope',
      required_scopes: needed,
      missing_scopes: missing,
      resource_metadata: this.resource.metadataUrl,
    });
  }
}
