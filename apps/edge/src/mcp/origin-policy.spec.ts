import { describe, expect, it } from 'vitest';
import { loadConfig, type MeridianConfig } from '@meridian/config';
import { ErrorType, PermissionDeniedError } from '@meridian/errors';
import { OriginPolicy } from './origin-policy';

type Headers = Record<string, string | string[] | undefined>;

const policy = (overrides: Partial<MeridianConfig> = {}) =>
  new OriginPolicy({ ...loadConfig({}), ...overrides });

function refusal(p: OriginPolicy, headers: Headers): PermissionDeniedError {
  try {
    p.check(headers);
  } catch (err) {
    expect(err).toBeInstanceOf(PermissionDeniedError);
    return err as PermissionDeniedError;
  }
  throw new Error(`accepted ${JSON.stringify(headers)}`);
}

describe('OriginPolicy', () => {
  describe('Host', () => {
    const local = policy();

    it.each([
      '127.0.0.1:5008',
      '127.0.0.1',
      'localhost',
      'localhost:5008',
      'LOCALHOST:9999',
      '[::1]:5008',
      '[::1]',
    ])('accepts the loopback host %s', (host) => {
      expect(() => local.check({ host })).not.toThrow();
    });

    it.each([
      'evil.example.com',
      'evil.example.com:5008',
      'localhost.evil.example.com',
      '127.0.0.1.nip.io',
      '0.0.0.0:5008',
    ])('refuses %s, naming the Host', (host) => {
      const err = refusal(local, { host });
      expect(err.type).toBe(ErrorType.PermissionDenied);
      expect(err.status).toBe(403);
      expect(err.message).toContain(host);
      expect(err.details).toEqual({ header: 'Host' });
    });

    it('refuses a request without Host', () => {
      expect(refusal(local, {}).details).toEqual({ header: 'Host' });
      expect(refusal(local, { host: '' }).details).toEqual({ header: 'Host' });
      expect(refusal(local, { host: undefined }).message).toContain('(none)');
    });

    it('refuses a Host that is not a host name', () => {
      expect(refusal(local, { host: 'exa mple:1:2' }).details).toEqual({ header: 'Host' });
    });

    it('reads the first of repeated Host values', () => {
      expect(() => local.check({ host: ['localhost:5008', 'evil.example.com'] })).not.toThrow();
      expect(refusal(local, { host: ['evil.example.com', 'localhost:5008'] }).message).toContain(
        'evil.example.com',
      );
    });

    it('accepts the host of MCP_SERVICE_URL', () => {
      const p = policy(loadConfig({ MCP_SERVICE_URL: 'https://mcp.example.com/' }));
      expect(() => p.check({ host: 'mcp.example.com' })).not.toThrow();
      expect(() => p.check({ host: 'MCP.Example.com' })).not.toThrow();
      refusal(p, { host: 'other.example.com' });
    });

    it('accepts the host and port of MCP_SERVICE_URL with an explicit port', () => {
      const p = policy(loadConfig({ MCP_SERVICE_URL: 'http://mcp.internal:8080' }));
      expect(() => p.check({ host: 'mcp.internal:8080' })).not.toThrow();
      refusal(p, { host: 'mcp.internal:9090' });
    });

    it('accepts MCP_ALLOWED_HOSTS entries without a port on any port', () => {
      const p = policy(loadConfig({ MCP_ALLOWED_HOSTS: 'api.example.com, Other.Example.com' }));
      expect(() => p.check({ host: 'api.example.com' })).not.toThrow();
      expect(() => p.check({ host: 'api.example.com:8443' })).not.toThrow();
      expect(() => p.check({ host: 'other.example.com' })).not.toThrow();
      refusal(p, { host: 'evil.example.com' });
      refusal(p, { host: 'api.example.com.evil.example.com' });
    });

    it('accepts MCP_ALLOWED_HOSTS entries with a port on that port only', () => {
      const p = policy(loadConfig({ MCP_ALLOWED_HOSTS: 'api.example.com:8443' }));
      expect(() => p.check({ host: 'api.example.com:8443' })).not.toThrow();
      refusal(p, { host: 'api.example.com:9443' });
      refusal(p, { host: 'api.example.com' });
    });
  });

  describe('Origin', () => {
    const host = '127.0.0.1:5008';
    const local = policy();

    it('accepts a request without Origin (not from a browser)', () => {
      expect(() => local.check({ host })).not.toThrow();
    });

    it.each([
      'http://localhost',
      'http://localhost:3000',
      'https://localhost:8443/',
      'http://127.0.0.1:5008',
      'http://127.0.0.1:6274',
      'http://[::1]:5173',
      'HTTP://LOCALHOST:3000',
    ])('accepts the loopback origin %s', (origin) => {
      expect(() => local.check({ host, origin })).not.toThrow();
    });

    it.each([
      'http://evil.example.com',
      'https://evil.example.com:5008',
      'http://localhost.evil.example.com',
      'null',
      'garbage',
      '',
      'file://localhost/etc',
      'ftp://127.0.0.1',
    ])('refuses the origin %j, naming the Origin', (origin) => {
      const err = refusal(local, { host, origin });
      expect(err.status).toBe(403);
      expect(err.message).toContain(`Origin not allowed: ${origin}`);
      expect(err.details).toEqual({ header: 'Origin' });
    });

    it('checks the Host before the Origin', () => {
      expect(refusal(local, { host: 'evil.example.com', origin: 'http://evil.example.com' }).details).toEqual(
        {
          header: 'Host',
        },
      );
    });

    it("accepts MCP_SERVICE_URL's origin", () => {
      const p = policy(loadConfig({ MCP_SERVICE_URL: 'https://mcp.example.com/base/' }));
      expect(() => p.check({ host: 'mcp.example.com', origin: 'https://mcp.example.com' })).not.toThrow();
      expect(() => p.check({ host: 'mcp.example.com', origin: 'https://MCP.example.com/' })).not.toThrow();
      refusal(p, { host: 'mcp.example.com', origin: 'http://mcp.example.com' });
      refusal(p, { host: 'mcp.example.com', origin: 'https://mcp.example.com:8443' });
    });

    it('accepts MCP_ALLOWED_ORIGINS whatever their case and trailing slash', () => {
      const p = policy(
        loadConfig({ MCP_ALLOWED_ORIGINS: 'https://App.Example.com/, https://admin.example.com:8443' }),
      );
      for (const origin of [
        'https://app.example.com',
        'https://APP.example.com/',
        'https://admin.example.com:8443',
        'https://admin.example.com:8443/',
      ]) {
        expect(() => p.check({ host, origin })).not.toThrow();
      }
      refusal(p, { host, origin: 'http://app.example.com' });
      refusal(p, { host, origin: 'https://admin.example.com' });
      refusal(p, { host, origin: 'https://app.example.com.evil.example.com' });
    });

    it('reads the first of repeated Origin values', () => {
      expect(() =>
        local.check({ host, origin: ['http://localhost:3000', 'http://evil.example.com'] }),
      ).not.toThrow();
      refusal(local, { host, origin: ['http://evil.example.com', 'http://localhost:3000'] });
    });
  });
});
