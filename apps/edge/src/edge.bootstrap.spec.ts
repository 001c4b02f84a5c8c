import { describe, expect, it } from 'vitest';
import { loadConfig, type MeridianConfig } from '@meridian/config';
import { assertEdgeSecurity } from './edge.bootstrap';

const SECRET = 'a-secret-key-of-some-length';

function config(env: Record<string, string>): MeridianConfig {
  return loadConfig({ SECRET_KEY: SECRET, ...env });
}

const TOKEN_AUTH = {
  MCP_AUTH_ENABLED: 'true',
  MCP_JWT_ISSUER: 'https://idp.example.com/',
  MCP_JWT_AUDIENCE: 'https://meridian.example.com/mcp',
  MCP_JWKS_URI: 'https://idp.example.com/jwks',
};

function problems(env: Record<string, string>): string {
  try {
    assertEdgeSecurity(config(env));
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}

describe('assertEdgeSecurity', () => {
  it('accepts the development identity on loopback and token authentication anywhere', () => {
    expect(problems({ MCP_DEV_USERNAME: 'admin' })).toBe('');
    expect(problems({ MCP_DEV_USERNAME: 'admin', MCP_SERVICE_HOST: '::1' })).toBe('');
    expect(problems({ ...TOKEN_AUTH, MCP_SERVICE_HOST: '0.0.0.0' })).toBe('');
  });

  it('refuses no identity policy at all', () => {
    expect(problems({})).toContain('No authentication configured');
  });

  it('refuses the development identity together with token authentication', () => {
    const message = problems({ ...TOKEN_AUTH, MCP_DEV_USERNAME: 'admin' });
    expect(message).toContain('MCP_DEV_USERNAME');
    expect(message).toContain('MCP_AUTH_ENABLED');
  });

  it('refuses the development identity, and disabled authentication, on a non-loopback bind', () => {
    const message = problems({ MCP_DEV_USERNAME: 'admin', MCP_SERVICE_HOST: '0.0.0.0' });
    expect(message).toContain('MCP_DEV_USERNAME is a development-only identity');
    expect(message).toContain('MCP_SERVICE_HOST=0.0.0.0');
    expect(message).toContain('Authentication is disabled (MCP_AUTH_ENABLED=false)');
  });

  it('refuses token authentication that checks no issuer or no audience', () => {
    expect(problems({ ...TOKEN_AUTH, MCP_JWT_ISSUER: '' })).toContain('MCP_JWT_ISSUER and MCP_JWT_AUDIENCE');
    expect(problems({ ...TOKEN_AUTH, MCP_JWT_AUDIENCE: '' })).toContain(
      'MCP_JWT_ISSUER and MCP_JWT_AUDIENCE',
    );
  });

  it('requires SECRET_KEY, and names every problem at once', () => {
    const message = (() => {
      try {
        assertEdgeSecurity(loadConfig({ MCP_SERVICE_HOST: '10.0.0.5' }));
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(message).toContain('SECRET_KEY is required');
    expect(message).toContain('No authentication configured');
    expect(message).toContain('MCP_SERVICE_HOST=10.0.0.5');
  });
});
