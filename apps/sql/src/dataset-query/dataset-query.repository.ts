import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { visibleDatasets, type AccessProfile } from '@meridian/authz';
import { isUuid } from '@meridian/contracts';
import { Dataset } from '@meridian/persistence';
import { MetadataCache, cacheKey } from '../access/metadata-cache';

const MAX_ID = 2_147_483_647;

/** Reads the dataset a query names, with its columns, saved metrics and database. */
@Injectable()
export class DatasetQueryRepository {
  private readonly cache = new MetadataCache<Dataset | null>();

  constructor(private readonly dataSource: DataSource) {}

  /** The dataset by id or UUID, when it exists and the profile may read it; null otherwise. */
  find(profile: AccessProfile, identifier: number | string): Promise<Dataset | null> {
    return this.cache.get(cacheKey(profile.roles, identifier), () => this.load(profile, identifier));
  }

  private async load(profile: AccessProfile, identifier: number | string): Promise<Dataset | null> {
    const qb = this.dataSource
      .getRepository(Dataset)
      .createQueryBuilder('ds')
      .innerJoinAndSelect('ds.database', 'db')
      .addSelect('db.passwordEncrypted')
      .leftJoinAndSelect('ds.columns', 'col', 'col.isActive = true')
      .leftJoinAndSelect('ds.metrics', 'metric');
    if (typeof identifier === 'number') {
      if (identifier > MAX_ID) return null;
      qb.where('ds.id = :identifier', { identifier });
    } else if (isUuid(identifier)) {
      qb.where('ds.uuid = :identifier', { identifier });
    } else {
      return null;
    }
    const visible = visibleDatasets(profile, 'ds');
    if (visible) qb.andWhere(`(${visible.sql})`, visible.params);
    return qb.orderBy('col.id').addOrderBy('metric.id').getOne();
  }
}
