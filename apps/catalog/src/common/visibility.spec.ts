import { DataSource } from 'typeorm';
import { describe, expect, it, vi } from 'vitest';
import { AccessProfile } from '@meridian/authz';
import { queryNamed, scopeToViewer, visibleSql, type Viewer } from './visibility';

const viewer = (roles: string[], datasetIds: number[] = []): Viewer => ({
  principal: { user_id: 9, username: 'u', roles, scopes: [], auth: 'dev' },
  profile: AccessProfile.fromGrants(
    roles,
    datasetIds.map((id) => ({
      action: 'datasource_access',
      resource_type: 'Dataset',
      resource_id: id,
      schema: null,
    })),
  ),
});

describe('visibleSql', () => {
  it('is TRUE and binds nothing for a viewer who sees everything', () => {
    const params = {};
    expect(visibleSql(viewer(['Admin']), 'Dashboard', 'd', params)).toBe('TRUE');
    expect(params).toEqual({});
  });

  it('collects the values of every condition it writes', () => {
    const params: Record<string, unknown> = {};
    const v = viewer(['readers'], [4, 2]);
    expect(visibleSql(v, 'Dataset', 'ds', params)).toBe('((ds.id = ANY(CAST(:authz_dataset_ids AS int[]))))');
    expect(visibleSql(v, 'Dashboard', 'd', params)).toContain(':authz_user_id');
    expect(params).toEqual({ authz_dataset_ids: [2, 4], authz_user_id: 9 });
  });
});

describe('scopeToViewer and queryNamed', () => {
  const ds = new DataSource({ type: 'postgres' });

  it('leaves an unrestricted query alone and narrows a restricted one', () => {
    const all = scopeToViewer(
      ds.createQueryBuilder().select('1').from('charts', 'c'),
      viewer(['Admin']),
      'Chart',
      'c',
    );
    expect(all.getQuery()).not.toContain('WHERE');
    const some = scopeToViewer(
      ds.createQueryBuilder().select('1').from('charts', 'c'),
      viewer(['r'], [3]),
      'Chart',
      'c',
    );
    const [sql, params] = some.getQueryAndParameters();
    expect(sql).toContain('WHERE (EXISTS (SELECT 1 FROM datasets authz_ds WHERE authz_ds.id = c.dataset_id');
    expect(params).toEqual([[3]]);
  });

  it('runs named parameters as the driver placeholders', async () => {
    const query = vi.spyOn(ds, 'query').mockResolvedValue([]);
    await queryNamed(ds, 'SELECT :a::int AS a, :b AS b, :a AS again', { a: 1, b: [2] });
    expect(query).toHaveBeenCalledWith('SELECT $1::int AS a, $2 AS b, $1 AS again', [1, [2]]);
  });
});
