import { describe, expect, it } from 'vitest';
import { LinkSigner } from './link-signer';
import { pageLinkPath, parsePageLink, type PageLink } from './page-links';

describe('page links', () => {
  const links: PageLink[] = [
    { target: { kind: 'chart', id: 7 }, userId: 3, username: 'gary' },
    { target: { kind: 'dashboard', id: 12 }, userId: 1, username: 'ada.admin@example.com' },
    {
      target: { kind: 'explore', datasetId: 5, config: { chart_type: 'pie', dimension: { name: 'g&=?' } } },
      userId: 2,
      username: 'alice',
    },
  ];

  it.each(links)('reads back the path it writes for a $target.kind', (link) => {
    const path = pageLinkPath(link);
    expect(path).toMatch(/^\/pages\/(charts|dashboards|explore)\/\d+\?user=/);
    expect(parsePageLink(path)).toEqual(link);
  });

  it('survives signing: the signed path verifies and parses to the same link', () => {
    const signer = new LinkSigner('a-secret-key-of-enough-length');
    const signed = signer.sign(pageLinkPath(links[2]), 900);
    expect(parsePageLink(signer.verify(signed)!.path)).toEqual(links[2]);
  });

  it('refuses paths it does not make', () => {
    for (const path of [
      '/pages/charts/7',
      '/pages/charts/x?user=gary&uid=3',
      '/pages/charts/7?user=gary&uid=3&config=e30',
      '/pages/explore/7?user=gary&uid=3',
      '/pages/explore/7?user=gary&uid=3&config=bm90IGpzb24',
      '/pages/other/7?user=gary&uid=3',
      '/pages/charts/7?user=%E0%A4%A&uid=3',
    ]) {
      expect(parsePageLink(path), path).toBeUndefined();
    }
  });

  it('refuses a configuration too large for a link', () => {
    const config = {
      chart_type: 'table',
      columns: Array.from({ length: 400 }, (_, i) => ({ name: `column_${i}` })),
    };
    expect(() =>
      pageLinkPath({ target: { kind: 'explore', datasetId: 1, config }, userId: 1, username: 'a' }),
    ).toThrow(/too large/);
  });
});
