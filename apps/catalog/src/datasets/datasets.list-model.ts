import { DATASET_LIST } from '@meridian/contracts';
import type { ListModel } from '../common/list-query';
import { ownersLoader } from '../common/owners';
import { datasetKindSql } from './dataset-kind';

export const DATASET_LIST_MODEL: ListModel = {
  spec: DATASET_LIST,
  resource: 'Dataset',
  table: 'datasets',
  alias: 'ds',
  joins: [{ table: 'databases', alias: 'db', on: 'db.id = ds.database_id' }],
  columns: {
    id: 'ds.id',
    uuid: 'ds.uuid',
    table_name: 'ds.table_name',
    schema: 'ds.schema',
    database_id: 'ds.database_id',
    database_name: 'db.database_name',
    description: 'ds.description',
    main_dttm_col: 'ds.main_dttm_col',
    kind: datasetKindSql('ds'),
    column_count: '(SELECT count(*) FROM dataset_columns col WHERE col.dataset_id = ds.id AND col.is_active)',
    metric_count: '(SELECT count(*) FROM dataset_metrics met WHERE met.dataset_id = ds.id)',
    created_on: 'ds.created_on',
    changed_on: 'ds.changed_on',
  },
  memberships: {
    owner: {
      from: 'dataset_owners o JOIN users u ON u.id = o.user_id',
      correlate: 'o.dataset_id = ds.id',
      value: 'u.username',
    },
  },
  relations: { owners: ownersLoader('dataset') },
};
