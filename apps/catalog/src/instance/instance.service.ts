import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import { ViewerService } from '../common/viewer.service';
import { queryNamed, visibleSql, type Viewer } from '../common/visibility';

interface CountRow {
  dashboards: string;
  published_dashboards: string;
  charts: string;
  datasets: string;
  databases: string;
  users: string;
  dashboards_recent: string;
  charts_recent: string;
}

const RECENT = "now() - interval '7 days'";

@Injectable()
export class InstanceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly viewers: ViewerService,
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
  ) {}

  /** The overview counts only what the caller may see. */
  async info(principal: Principal) {
    const viewer = await this.viewers.of(principal);
    const [counts] = await this.counts(viewer);
    const params: Record<string, unknown> = {};
    const byBackend = await queryNamed<{ backend: string; n: string }[]>(
      this.dataSource,
      `SELECT db.backend, count(*) AS n FROM databases db
        WHERE ${visibleSql(viewer, 'Database', 'db', params)} GROUP BY db.backend ORDER BY db.backend`,
      params,
    );
    const byVizType = await queryNamed<{ viz_type: string; n: string }[]>(
      this.dataSource,
      `SELECT c.viz_type, count(*) AS n FROM charts c
        WHERE ${visibleSql(viewer, 'Chart', 'c', params)} GROUP BY c.viz_type ORDER BY c.viz_type`,
      params,
    );
    return {
      version: this.config.version,
      instance_summary: {
        total_dashboards: Number(counts?.dashboards ?? 0),
        total_charts: Number(counts?.charts ?? 0),
        total_datasets: Number(counts?.datasets ?? 0),
        total_databases: Number(counts?.databases ?? 0),
        total_users: Number(counts?.users ?? 0),
        published_dashboards: Number(counts?.published_dashboards ?? 0),
      },
      database_breakdown: Object.fromEntries(byBackend.map((r) => [r.backend, Number(r.n)])),
      chart_type_breakdown: Object.fromEntries(byVizType.map((r) => [r.viz_type, Number(r.n)])),
      recent_activity: {
        dashboards_changed_last_7_days: Number(counts?.dashboards_recent ?? 0),
        charts_changed_last_7_days: Number(counts?.charts_recent ?? 0),
      },
      current_user: {
        id: principal.user_id,
        username: principal.username,
        roles: [...principal.roles],
      },
      timestamp: new Date().toISOString(),
    };
  }

  private counts(viewer: Viewer): Promise<CountRow[]> {
    const params: Record<string, unknown> = {};
    const dashboard = visibleSql(viewer, 'Dashboard', 'd', params);
    const chart = visibleSql(viewer, 'Chart', 'c', params);
    return queryNamed<CountRow[]>(
      this.dataSource,
      `SELECT
        (SELECT count(*) FROM dashboards d WHERE ${dashboard}) AS dashboards,
        (SELECT count(*) FROM dashboards d WHERE d.published AND ${dashboard}) AS published_dashboards,
        (SELECT count(*) FROM charts c WHERE ${chart}) AS charts,
        (SELECT count(*) FROM datasets ds WHERE ${visibleSql(viewer, 'Dataset', 'ds', params)}) AS datasets,
        (SELECT count(*) FROM databases db WHERE ${visibleSql(viewer, 'Database', 'db', params)}) AS databases,
        (SELECT count(*) FROM users WHERE active) AS users,
        (SELECT count(*) FROM dashboards d WHERE d.changed_on > ${RECENT} AND ${dashboard}) AS dashboards_recent,
        (SELECT count(*) FROM charts c WHERE c.changed_on > ${RECENT} AND ${chart}) AS charts_recent`,
      params,
    );
  }
}
