import { DASHBOARD_LIST } from '@meridian/contracts';
import type { ListModel } from '../common/list-query';
import { ownersLoader } from '../common/owners';

export const DASHBOARD_LIST_MODEL: ListModel = {
  spec: DASHBOARD_LIST,
  resource: 'Dashboard',
  table: 'dashboards',
  alias: 'd',
  columns: {
    id: 'd.id',
    uuid: 'd.uuid',
    dashboard_title: 'd.dashboard_title',
    slug: 'd.slug',
    description: 'd.description',
    published: 'd.published',
    created_on: 'd.created_on',
    changed_on: 'd.changed_on',
  },
  memberships: {
    owner: {
      from: 'dashboard_owners o JOIN users u ON u.id = o.user_id',
      correlate: 'o.dashboard_id = d.id',
      value: 'u.username',
    },
  },
  viewerColumns: (visible) => ({
    chart_count:
      '(SELECT count(*) FROM dashboard_charts dc JOIN charts vc ON vc.id = dc.chart_id ' +
      `WHERE dc.dashboard_id = d.id AND ${visible('Chart', 'vc')})`,
  }),
  relations: { owners: ownersLoader('dashboard') },
};
