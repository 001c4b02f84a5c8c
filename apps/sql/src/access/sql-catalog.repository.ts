import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { visibleDatabases, visibleDatasets, type AccessProfile } from '@meridian/authz';
import { MERIDIAN_CONFIG, type MeridianConfig } from '@meridian/config';
import { Database, Dataset, RlsFilter, SecretBox } from '@meridian/persistence';
import type { ConnectionPowers, ConnectionTarget } from '../engines/engine';
import { MetadataCache, cacheKey } from './metadata-cache';

/** A physical dataset: a table or view of the database, by schema and name. */
export interface TableDataset {
  id: number;
  schema: string | null;
  tableName: string;
}

/**
 * What the sql service reads from the metadata database: registered databases (with their
 * sealed passwords, opened only here), their table datasets and which of them carry RLS filters.
 */
@Injectable()
export class SqlCatalogRepository {
  private readonly box: SecretBox;
  private readonly databases = new MetadataCache<Database | null>();
  private readonly tables = new MetadataCache<TableDataset[]>();
  private readonly readable = new MetadataCache<Set<number>>();
  private readonly filtered = new MetadataCache<number[]>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MERIDIAN_CONFIG) config: MeridianConfig,
  ) {
    if (!config.secretKey) throw new Error('SECRET_KEY is required by the sql service');
    this.box = new SecretBox(config.secretKey, config.previousSecretKey);
  }

  /** The database, when it exists and the profile sees it. */
  database(profile: AccessProfile, id: number): Promise<Database | null> {
    return this.databases.get(cacheKey(profile.roles, id), () => this.loadDatabase(profile, id));
  }

  private loadDatabase(profile: AccessProfile, id: number): Promise<Database | null> {
    const qb = this.dataSource
      .getRepository(Database)
      .createQueryBuilder('db')
      .addSelect('db.passwordEncrypted')
      .where('db.id = :id', { id });
    const visible = visibleDatabases(profile, 'db');
    if (visible) qb.andWhere(`(${visible.sql})`, visible.params);
    return qb.getOne();
  }

  /** How to connect to the database; the password is decrypted here and nowhere else. */
  target(db: Database): ConnectionTarget {
    return {
      id: db.id,
      name: db.databaseName,
      backend: db.backend,
      host: db.host,
      port: db.port,
      dbName: db.dbName,
      username: db.username,
      password: db.passwordEncrypted ? this.box.decrypt(db.passwordEncrypted) : null,
    };
  }

  /** Keeps what the sql service found about the database's login where get_database_info shows it. */
  async recordPowers(databaseId: number, found: ConnectionPowers): Promise<void> {
    const value = { ...found, checked_at: new Date().toISOString() };
    await this.dataSource.query(
      `UPDATE databases SET extra = jsonb_set(COALESCE(extra, '{}'::jsonb), '{connection_privileges}', $2::jsonb)
        WHERE id = $1`,
      [databaseId, JSON.stringify(value)],
    );
  }

  /** The database's datasets that stand for a table or view (not virtual ones). */
  tableDatasets(databaseId: number): Promise<TableDataset[]> {
    return this.tables.get(cacheKey(databaseId), () => this.loadTableDatasets(databaseId));
  }

  private loadTableDatasets(databaseId: number): Promise<TableDataset[]> {
    return this.dataSource
      .getRepository(Dataset)
      .createQueryBuilder('ds')
      .select(['ds.id', 'ds.schema', 'ds.tableName'])
      .where('ds.databaseId = :databaseId', { databaseId })
      .andWhere('ds.sql IS NULL')
      .getMany();
  }

  /** Ids of the database's datasets the profile may read. */
  readableDatasetIds(profile: AccessProfile, databaseId: number): Promise<Set<number>> {
    return this.readable.get(cacheKey(profile.roles, databaseId), () =>
      this.loadReadable(profile, databaseId),
    );
  }

  private async loadReadable(profile: AccessProfile, databaseId: number): Promise<Set<number>> {
    const qb = this.dataSource
      .getRepository(Dataset)
      .createQueryBuilder('ds')
      .select('ds.id', 'id')
      .where('ds.databaseId = :databaseId', { databaseId });
    const visible = visibleDatasets(profile, 'ds');
    if (visible) qb.andWhere(`(${visible.sql})`, visible.params);
    const rows = await qb.getRawMany<{ id: number }>();
    return new Set(rows.map((r) => Number(r.id)));
  }

  /** Ids of the database's datasets that at least one RLS filter names. */
  datasetsWithFilters(databaseId: number): Promise<number[]> {
    return this.filtered.get(cacheKey(databaseId), () => this.loadFiltered(databaseId));
  }

  private async loadFiltered(databaseId: number): Promise<number[]> {
    const rows = await this.dataSource
      .getRepository(RlsFilter)
      .createQueryBuilder('f')
      .innerJoin('f.datasets', 'ds')
      .select('DISTINCT ds.id', 'id')
      .where('ds.databaseId = :databaseId', { databaseId })
      .getRawMany<{ id: number }>();
    return rows.map((r) => Number(r.id));
  }
}
