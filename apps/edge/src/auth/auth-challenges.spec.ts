import { describe, expect, it } from 'vitest';
import { ErrorType } from '@meridian/errors';
import type { ProtectedResource } from '../well-known/protected-resource';
import { AuthChallenges, bearerChallenge, TOKEN_DESCRIPTIONS } from './auth-challenges';

const METADATA = 'https://meridian.example.com/.well-known/oauth-protected-resource/mcp';

function setup() {
  const headers: Record<string, string> = {};
  const reply = { header: (name: string, value: string) => (headers[name] = value) };
  const challenges = new AuthChallenges({ metadataUrl: METADATA } as ProtectedResource);
  return { headers, reply, challenges };
}

describe('bearerChallenge', () => {
  it('quotes values and escapes quotes and backslashes', () => {
    expect(bearerChallenge([])).toBe('Bearer');
    expect(bearerChallenge([['realm', 'a"b\\c']])).toBe('Bearer realm="a\\"b\\\\c"');
  });
});

describe('AuthChallenges', () => {
  it('asks for a token, naming the metadata and the scopes to request', () => {
    const { headers, reply, challenges } = setup();
    const err = challenges.missingToken(reply, ['meridian:read']);
    expect(headers['WWW-Authenticate']).toBe(`Bearer resource_metadata="${METADATA}", scope="meridian:read"`);
    expect(err.type).toBe(ErrorType.Authentication);
    expect(err.status).toBe(401);
  });

  it('refuses an invalid token with error, description and metadata, and no detail in the body', () => {
    const { headers, reply, challenges } = setup();
    const err = challenges.invalidToken(reply, TOKEN_DESCRIPTIONS.expired);
    expect(headers['WWW-Authenticate']).toBe(
      `Bearer error="invalid_token", error_description="The access token expired", resource_metadata="${METADATA}"`,
    );
    expect(err.toBody()).toMatchObject({
      error: 'Invalid token',
      error_type: 'AuthenticationError',
      details: { oauth_error: 'invalid_token', resource_metadata: METADATA },
    });
  });

  it('answers a missing scope with 403 and every scope the request needs', () => {
    const { headers, reply, challenges } = setup();
    const err = challenges.insufficientScope(reply, ['meridian:read', 'meridian:sql'], ['meridian:sql']);
    expect(headers['WWW-Authenticate']).toBe(
      `Bearer error="insufficient_scope", scope="meridian:read meridian:sql", resource_metadata="${METADATA}"`,
    );
    expect(err.status).toBe(403);
    expect(err.type).toBe(ErrorType.PermissionDenied);
    expect(err.message).toBe('Insufficient scope: this request needs meridian:sql');
  });
});
