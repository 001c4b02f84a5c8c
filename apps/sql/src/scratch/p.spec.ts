import { PostgresDialect } from '../dialects/postgres/postgres.dialect';
import { MysqlDialect } from '../dialects/mysql/mysql.dialect';
async function main() {
  const pg = new PostgresDialect();
  const s = await pg.analyse(`SELECT CAST(date_trunc('month', "order_date") AS date) AS "order_date", SUM("revenue") AS "SUM(revenue)" FROM (SELECT * FROM "public"."orders" WHERE (region = 'EMEA') OFFSET 0) AS "orders" WHERE "region" IN ($1, $2) AND "x" ILIKE $3 GROUP BY 1 ORDER BY 2 DESC LIMIT 11`);
  console.log(s.kind, s.relations);
  console.log(await pg.render(s, { qualify: new Map(), rls: new Map(), maxRows: null }));
  const my = new MysqlDialect();
  const m = await my.analyse("SELECT DATE(DATE_SUB(`order_date`, INTERVAL DAYOFMONTH(`order_date`) - 1 DAY)) AS `order_date`, SUM(`revenue`) AS `SUM(revenue)` FROM (SELECT * FROM `db`.`orders` WHERE (region = 'EMEA') LIMIT 9007199254740991) AS `orders` WHERE `region` IN (?, ?) AND LOWER(`x`) LIKE LOWER(?) AND `y` IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 11");
  console.log(m.kind, m.relations);
  console.log(await my.render(m, { qualify: new Map(), rls: new Map(), maxRows: null }));
  const v = await my.analyse("SELECT * FROM (SELECT * FROM orders o JOIN customers c USING (customer_id)) AS `src` WHERE `a` = ?");
  console.log(v.relations);
  console.log(await my.render(v, { qualify: new Map([[0,'db'],[1,'db']]), rls: new Map(), maxRows: null }));
}

import { it } from 'vitest';
it('scratch', async () => { await main(); });
