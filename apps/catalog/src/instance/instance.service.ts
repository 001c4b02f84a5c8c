import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import type { Principal } from '@meridian/contracts';
import { UsersService } from '../common/users.service';

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

@Injectable()
export class InstanceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    @Inject(MERIDIAN_CONFIG) private readonly config: MeridianConfig,
  ) {}

  async info(principal: Principal) {
    const user = await this.users.resolve(principal);
    const [counts] = await this.dataSource.query<CountRow[]>(`
      SELECT
        (SELECT count(*) FROM dashboards) AS dashboards,
        (SELECT count(*) FROM dashboards WHERE published) AS published_dashboards,
        (SELECT count(*) FROM charts) AS charts,
        (SELECT count(*) FROM datasets) AS datasets,
        (SELECT count(*) FROM databases) AS databases,
        (SELECT count(*) FROM users WHERE active) AS users,
        (SELECT count(*) FROM dashboards WHERE changed_on > now() - interval '7 days') AS dashboards_recent,
        (SELECT count(*) FROM charts WHERE changed_on > now() - interval '7 days') AS charts_recent`);
    const byBackend = await this.dataSource.query<{ backend: string; n: string }[]>(
      'SELECT backend, count(*) AS n FROM databases GROUP BY backend ORDER BY backend',
    );
    const byVizType = await this.dataSource.query<{ viz_type: string; n: string }[]>(
      'SELECT viz_type, count(*) AS n FROM charts GROUP BY viz_type ORDER BY viz_type',
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
        id: user.id,
        username: user.username,
        roles: user.roles.map((r) => r.name),
      },
      timestamp: new Date().toISOString(),
    };
  }
}
