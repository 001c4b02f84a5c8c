import { DATABASE_LIST } from '@meridian/contracts';
import type { ListModel } from '../common/list-query';

/** Connection details (host, port, username, password) are deliberately not mapped. */
export const DATABASE_LIST_MODEL: ListModel = {
  spec: DATABASE_LIST,
  resource: 'Database',
  table: 'databases',
  alias: 'db',
  columns: {
    id: 'db.id',
    uuid: 'db.uuid',
    database_name: 'db.database_name',
    backend: 'db.backend',
    expose_in_sqllab: 'db.expose_in_sqllab',
    allow_dml: 'db.allow_dml',
    created_on: 'db.created_on',
    changed_on: 'db.changed_on',
  },
  viewerColumns: (visible) => ({
    dataset_count:
      '(SELECT count(*) FROM datasets dset ' +
      `WHERE dset.database_id = db.id AND ${visible('Dataset', 'dset')})`,
  }),
};
