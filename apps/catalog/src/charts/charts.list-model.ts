import { CHART_LIST } from '@meridian/contracts';
import type { ListModel } from '../common/list-query';
import { ownersLoader } from '../common/owners';

export const CHART_LIST_MODEL: ListModel = {
  spec: CHART_LIST,
  resource: 'Chart',
  table: 'charts',
  alias: 'c',
  joins: [{ table: 'datasets', alias: 'ds', on: 'ds.id = c.dataset_id' }],
  columns: {
    id: 'c.id',
    uuid: 'c.uuid',
    slice_name: 'c.slice_name',
    viz_type: 'c.viz_type',
    description: 'c.description',
    dataset_id: 'c.dataset_id',
    dataset_name: 'ds.table_name',
    created_on: 'c.created_on',
    changed_on: 'c.changed_on',
  },
  memberships: {
    owner: {
      from: 'chart_owners o JOIN users u ON u.id = o.user_id',
      correlate: 'o.chart_id = c.id',
      value: 'u.username',
    },
  },
  relations: { owners: ownersLoader('chart') },
};
