import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ListQuery } from '@meridian/contracts';
import { buildListQueries, pageInfo, type ListModel } from './list-query';
import { jsonValue } from './values';
import { scopeToViewer, visibleSql, type Viewer } from './visibility';

/** Runs list tools for every model: one count, one page query, one query per loaded relation. */
@Injectable()
export class ListQueryService {
  constructor(private readonly dataSource: DataSource) {}

  async run(viewer: Viewer, model: ListModel, query: ListQuery): Promise<Record<string, unknown>> {
    const { model: scoped, params } = forViewer(model, viewer);
    const qb = this.dataSource.createQueryBuilder().setParameters(params);
    const base = scopeToViewer(qb, viewer, model.resource, model.alias);
    const { plan, count, page } = buildListQueries(base, scoped, query);

    const totalRow = await count.getRawOne<{ total: string }>();
    const total = Number(totalRow?.total ?? 0);
    const offset = (plan.page - 1) * plan.pageSize;
    const rows = offset < total ? await page.getRawMany<Record<string, unknown>>() : [];

    const ids = rows.map((r) => Number(r.id));
    const loaded = new Map<string, Map<number, unknown>>();
    for (const column of plan.columns) {
      const load = model.relations?.[column];
      if (load) loaded.set(column, await load(this.dataSource.manager, ids));
    }

    const items = rows.map((row, i) =>
      Object.fromEntries(
        plan.columns.map((c) => {
          const relation = loaded.get(c);
          const value = relation ? (relation.get(ids[i]) ?? []) : row[c];
          return [c, jsonValue(model.spec.fields[c], value)];
        }),
      ),
    );
    return {
      [model.spec.itemsKey]: items,
      ...pageInfo(plan, total, items.length),
      columns_loaded: plan.columns,
    };
  }
}

/** The model with its viewer-dependent columns filled in, and the values their SQL binds. */
export function forViewer(
  model: ListModel,
  viewer: Viewer,
): { model: ListModel; params: Record<string, unknown> } {
  const params: Record<string, unknown> = {};
  if (!model.viewerColumns) return { model, params };
  const columns = model.viewerColumns((resource, alias) => visibleSql(viewer, resource, alias, params));
  return { model: { ...model, columns: { ...model.columns, ...columns } }, params };
}
