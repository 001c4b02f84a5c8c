import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Database, Dataset } from '@meridian/persistence';
import { identifierCondition } from '../common/identifier';
import { scopeToViewer, type Viewer } from '../common/visibility';

/** Selects only what may leave the server: never host, port, username or password. */
const PUBLIC_COLUMNS = [
  'db.id',
  'db.uuid',
  'db.databaseName',
  'db.backend',
  'db.exposeInSqllab',
  'db.allowDml',
  // Holds SQL settings and the sql service's findings: answered to Admin only.
  'db.extra',
  'db.createdOn',
  'db.changedOn',
  'db.connectionCheckedAt',
  'db.connectionError',
];

@Injectable()
export class DatabasesRepository {
  constructor(
    @InjectRepository(Database) private readonly databases: Repository<Database>,
    @InjectRepository(Dataset) private readonly datasets: Repository<Dataset>,
  ) {}

  /** A database by numeric id or UUID, if the viewer may see it. */
  async findOne(viewer: Viewer, identifier: number | string): Promise<Database | null> {
    const match = identifierCondition('db', identifier);
    if (!match) return null;
    return scopeToViewer(this.databases.createQueryBuilder('db'), viewer, 'Database', 'db')
      .select(PUBLIC_COLUMNS)
      .andWhere(match.sql, match.params)
      .getOne();
  }

  /** The database's datasets the viewer may see, by schema and table name. */
  datasetsOf(viewer: Viewer, databaseId: number): Promise<Dataset[]> {
    return scopeToViewer(this.datasets.createQueryBuilder('ds'), viewer, 'Dataset', 'ds')
      .select(['ds.id', 'ds.tableName', 'ds.schema'])
      .andWhere('ds.databaseId = :databaseId', { databaseId })
      .orderBy('ds.schema', 'ASC', 'NULLS FIRST')
      .addOrderBy('ds.tableName', 'ASC')
      .addOrderBy('ds.id', 'ASC')
      .getMany();
  }
}
