import { Inject, Injectable } from '@nestjs/common';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import { ValidationError } from '@meridian/errors';
import { LinkSigner, MAX_EXPLORE_CONFIG_CHARS, pageLinkPath, type PageTarget } from '@meridian/security';

export interface SignedPageLink {
  url: string;
  expiresAt: Date;
}

/**
 * Signs the links to the edge's chart and dashboard pages: HMAC with the link key derived from
 * SECRET_KEY over the path (which names the object and the user) and the expiry, under
 * MCP_SERVICE_URL (the edge's own address when that is not set).
 */
@Injectable()
export class PageLinkSigner {
  private readonly signer: LinkSigner;
  private readonly baseUrl: string;
  private readonly ttlSeconds: number;

  constructor(@Inject(MERIDIAN_CONFIG) config: MeridianConfig) {
    this.signer = new LinkSigner(config.secretKey!);
    this.ttlSeconds = config.linkTtlSeconds;
    this.baseUrl = config.serviceUrl ?? ownBaseUrl(config);
  }

  sign(principal: Principal, target: PageTarget, now = Date.now()): SignedPageLink {
    let path: string;
    try {
      path = pageLinkPath({ target, userId: principal.user_id, username: principal.username });
    } catch {
      throw new ValidationError(
        `config: too large to carry in a link (over ${MAX_EXPLORE_CONFIG_CHARS} characters encoded); save the chart and link to it`,
        { field: 'config' },
      );
    }
    const signed = this.signer.sign(path, this.ttlSeconds, now);
    const expires = Number(/[?&]expires=(\d+)/.exec(signed)?.[1] ?? 0);
    return { url: `${this.baseUrl}${signed}`, expiresAt: new Date(expires * 1000) };
  }
}

/** The edge's address from its bind settings, for when MCP_SERVICE_URL is not set. */
function ownBaseUrl(config: MeridianConfig): string {
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const host = wildcard ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${config.port}`;
}
