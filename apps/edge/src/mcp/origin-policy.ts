import { Inject, Injectable } from '@nestjs/common';
import { isLoopbackHost, MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { PermissionDeniedError } from '@meridian/errors';

function hostnameOf(hostHeader: string): string {
  try {
    return new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return '';
  }
}

/**
 * DNS-rebinding protection for /mcp (MCP transport security): the Host must name this server and
 * a browser's Origin must be this server or an allowed one. Loopback names are always accepted;
 * behind a proxy, MCP_SERVICE_URL and MCP_ALLOWED_HOSTS / MCP_ALLOWED_ORIGINS add the public names.
 */
@Injectable()
export class OriginPolicy {
  private readonly hosts = new Set<string>();
  private readonly origins = new Set<string>();

  constructor(@Inject(MERIDIAN_CONFIG) config: MeridianConfig) {
    for (const h of config.allowedHosts) this.hosts.add(h.toLowerCase());
    for (const o of config.allowedOrigins) this.origins.add(o.toLowerCase().replace(/\/+$/, ''));
    if (config.serviceUrl) {
      const url = new URL(config.serviceUrl);
      this.hosts.add(url.host.toLowerCase());
      this.origins.add(url.origin.toLowerCase());
    }
  }

  check(headers: Record<string, string | string[] | undefined>): void {
    const host = first(headers['host']);
    if (!host || !this.hostAllowed(host)) {
      throw new PermissionDeniedError(`Host not allowed: ${host ?? '(none)'}`, { header: 'Host' });
    }
    const origin = first(headers['origin']);
    if (origin !== undefined && !this.originAllowed(origin)) {
      throw new PermissionDeniedError(`Origin not allowed: ${origin}`, { header: 'Origin' });
    }
  }

  private hostAllowed(host: string): boolean {
    const h = host.toLowerCase();
    const name = hostnameOf(h);
    if (!name) return false;
    if (isLoopbackHost(name)) return true;
    return this.hosts.has(h) || this.hosts.has(name);
  }

  private originAllowed(origin: string): boolean {
    const o = origin.toLowerCase().replace(/\/+$/, '');
    if (this.origins.has(o)) return true;
    try {
      const url = new URL(o);
      return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname);
    } catch {
      return false;
    }
  }
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
