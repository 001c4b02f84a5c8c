import { Injectable } from '@nestjs/common';
import type { ListQuery, Principal } from '@meridian/contracts';
import { NotFoundError } from '@meridian/errors';
import type { Database } from '@meridian/persistence';
import { ListQueryService } from '../common/list-query.service';
import { ViewerService } from '../common/viewer.service';
import { iso } from '../common/values';
import { DATABASE_LIST_MODEL } from './databases.list-model';
import { DatabasesRepository } from './databases.repository';

/** What the sql service found the last time it connected. */
function connectionStatus(database: Database) {
  const status = !database.connectionCheckedAt ? 'unknown' : database.connectionError ? 'unreachable' : 'ok';
  return {
    status,
    checked_at: database.connectionCheckedAt ? iso(database.connectionCheckedAt) : null,
    last_error: database.connectionError,
  };
}

/** The SQL settings an Admin set in `extra`, and what the sql service found about the login. */
function sqlSettings(extra: Record<string, unknown>) {
  const found = extra.connection_privileges;
  return {
    connection_privileges: found && typeof found === 'object' ? found : null,
    allow_privileged_connection: extra.allow_privileged_connection === true,
    allowed_functions: Array.isArray(extra.allowed_functions)
      ? extra.allowed_functions.filter((f): f is string => typeof f === 'string')
      : [],
  };
}

@Injectable()
export class DatabasesService {
  constructor(
    private readonly viewers: ViewerService,
    private readonly lists: ListQueryService,
    private readonly databases: DatabasesRepository,
  ) {}

  async list(principal: Principal, query: ListQuery) {
    const viewer = await this.viewers.of(principal);
    return this.lists.run(viewer, DATABASE_LIST_MODEL, query);
  }

  /** Connection details stay on the server: the answer is built field by field, never spread. */
  async info(principal: Principal, identifier: number | string) {
    const viewer = await this.viewers.of(principal);
    const database = await this.databases.findOne(viewer, identifier);
    if (!database) throw new NotFoundError('Database not found', { identifier });
    const datasets = await this.databases.datasetsOf(viewer, database.id);
    return {
      id: database.id,
      uuid: database.uuid,
      database_name: database.databaseName,
      backend: database.backend,
      expose_in_sqllab: database.exposeInSqllab,
      allow_dml: database.allowDml,
      dataset_count: datasets.length,
      datasets: datasets.map((d) => ({ id: d.id, table_name: d.tableName, schema: d.schema })),
      created_on: iso(database.createdOn),
      changed_on: iso(database.changedOn),
      // Where the database is, why it failed and how it is set up describe the deployment: Admins only.
      ...(viewer.profile.isAdmin
        ? { connection: connectionStatus(database), ...sqlSettings(database.extra ?? {}) }
        : {}),
    };
  }
}
