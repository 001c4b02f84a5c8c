/**
 * The pages the edge serves through signed links, and the paths naming them. The chart service
 * signs these paths; the edge verifies and reads them. The link names its user: whoever holds it
 * sees the page as that user, re-checked when it is opened.
 */
export type PageTarget =
  | { kind: 'chart'; id: number }
  | { kind: 'dashboard'; id: number }
  | { kind: 'explore'; datasetId: number; config: Record<string, unknown> };

export interface PageLink {
  target: PageTarget;
  userId: number;
  username: string;
}

export const PAGES_PREFIX = '/pages';

/** Largest encoded chart configuration an explore link carries. */
export const MAX_EXPLORE_CONFIG_CHARS = 6000;

/** The unsigned path of a page for a user: `/pages/charts/7?user=gary&uid=3`. */
export function pageLinkPath(link: PageLink): string {
  const who = `user=${encodeURIComponent(link.username)}&uid=${link.userId}`;
  switch (link.target.kind) {
    case 'chart':
      return `${PAGES_PREFIX}/charts/${link.target.id}?${who}`;
    case 'dashboard':
      return `${PAGES_PREFIX}/dashboards/${link.target.id}?${who}`;
    case 'explore': {
      const config = Buffer.from(JSON.stringify(link.target.config)).toString('base64url');
      if (config.length > MAX_EXPLORE_CONFIG_CHARS)
        throw new Error('Chart configuration too large for a link');
      return `${PAGES_PREFIX}/explore/${link.target.datasetId}?${who}&config=${config}`;
    }
  }
}

const PATH =
  /^\/pages\/(charts|dashboards|explore)\/(\d{1,10})\?user=([^&]{1,384})&uid=(\d{1,10})(?:&config=([\w-]{1,6000}))?$/;

/** Reads a verified page path back; undefined when it is not one `pageLinkPath` makes. */
export function parsePageLink(path: string): PageLink | undefined {
  const m = PATH.exec(path);
  if (!m) return undefined;
  const [, kind, idText, user, uid, config] = m;
  let username: string;
  try {
    username = decodeURIComponent(user);
  } catch {
    return undefined;
  }
  const id = Number(idText);
  const base = { userId: Number(uid), username };
  if (kind === 'charts' && !config) return { ...base, target: { kind: 'chart', id } };
  if (kind === 'dashboards' && !config) return { ...base, target: { kind: 'dashboard', id } };
  if (kind !== 'explore' || !config) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(config, 'base64url').toString('utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    return { ...base, target: { kind: 'explore', datasetId: id, config: parsed as Record<string, unknown> } };
  } catch {
    return undefined;
  }
}
