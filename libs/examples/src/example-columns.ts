import { Client } from 'pg';
import { EXAMPLES_SCHEMA, EXAMPLE_TABLES, type ExampleTableName } from './example-schema';

/** A dataset column as the metadata database records it. */
export interface ExampleColumnInfo {
  columnName: string;
  verboseName: string;
  type: string;
  isDttm: boolean;
  groupby: boolean;
  filterable: boolean;
  isActive: boolean;
  description: string | null;
}

interface InformationSchemaColumn {
  table_name: ExampleTableName;
  column_name: string;
  data_type: string;
  character_maximum_length: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
}

const TEMPORAL_TYPES = new Set(['date', 'timestamp without time zone', 'timestamp with time zone']);
const TEXT_TYPES = new Set(['text', 'character varying', 'character']);
const ACRONYMS = new Set(['id', 'usd', 'gdp', 'co2']);

/** Reads the example tables' columns from the examples database, as they really are. */
export async function readExampleColumns(
  examplesUrl: string,
): Promise<Map<ExampleTableName, ExampleColumnInfo[]>> {
  const client = new Client({ connectionString: examplesUrl, application_name: 'meridian-seed' });
  await client.connect();
  try {
    const result = await client.query<InformationSchemaColumn>(
      `SELECT table_name, column_name, data_type, character_maximum_length::int,
              numeric_precision::int, numeric_scale::int
         FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = ANY($2::text[])
        ORDER BY table_name, ordinal_position`,
      [EXAMPLES_SCHEMA, EXAMPLE_TABLES.map((t) => t.name)],
    );
    const columns = new Map<ExampleTableName, ExampleColumnInfo[]>();
    for (const table of EXAMPLE_TABLES) {
      const found = result.rows.filter((r) => r.table_name === table.name);
      if (found.length === 0) {
        throw new Error(
          `Example table ${EXAMPLES_SCHEMA}.${table.name} is missing: seed the example data first`,
        );
      }
      columns.set(
        table.name,
        found.map((row) => {
          const spec = table.columns.find((c) => c.name === row.column_name);
          const isDttm = TEMPORAL_TYPES.has(row.data_type);
          return {
            columnName: row.column_name,
            verboseName: spec?.verboseName ?? verboseName(row.column_name),
            type: displayType(row),
            isDttm,
            groupby: spec?.groupby ?? (isDttm || TEXT_TYPES.has(row.data_type)),
            filterable: true,
            isActive: true,
            description: spec?.description ?? null,
          };
        }),
      );
    }
    return columns;
  } finally {
    await client.end();
  }
}

/** `numeric` with precision 12, scale 2 becomes NUMERIC(12,2); timestamps take their short names. */
export function displayType(column: Omit<InformationSchemaColumn, 'table_name' | 'column_name'>): string {
  switch (column.data_type) {
    case 'numeric':
      return column.numeric_precision === null
        ? 'NUMERIC'
        : `NUMERIC(${column.numeric_precision},${column.numeric_scale ?? 0})`;
    case 'character varying':
      return column.character_maximum_length === null
        ? 'VARCHAR'
        : `VARCHAR(${column.character_maximum_length})`;
    case 'character':
      return `CHAR(${column.character_maximum_length ?? 1})`;
    case 'timestamp without time zone':
      return 'TIMESTAMP';
    case 'timestamp with time zone':
      return 'TIMESTAMPTZ';
    default:
      return column.data_type.toUpperCase();
  }
}

/** order_date -> "Order Date", gdp_usd -> "GDP USD". */
export function verboseName(columnName: string): string {
  return columnName
    .split('_')
    .filter(Boolean)
    .map((word) => (ACRONYMS.has(word) ? word.toUpperCase() : word[0].toUpperCase() + word.slice(1)))
    .join(' ');
}
