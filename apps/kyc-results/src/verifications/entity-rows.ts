import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * Many rows of an entity as one set for `INSERT … SELECT` / `UPDATE … FROM`: one array parameter
 * per column, unnested side by side, with the list position as `n` (so a statement can keep the list
 * order). Array columns travel as jsonb (unnest would flatten a two-dimensional array) and are turned
 * back into arrays by `value`.
 */
export interface RowSet {
  /** `unnest($1::text[], …) WITH ORDINALITY AS r(col, …, n)`. */
  from: string;
  columns: string[];
  /** The expression reading a column from `r`, typed as the table column. */
  value(column: string): string;
  params: unknown[];
}

const quote = (name: string) => `"${name}"`;

function columnsOf(m: EntityManager, entity: EntityTarget<ObjectLiteral>, properties: readonly string[]): ColumnMetadata[] {
  const meta = m.connection.getMetadata(entity);
  return properties.map((p) => {
    const column = meta.findColumnWithPropertyName(p);
    if (!column) throw new Error(`${meta.name} has no column for ${p}`);
    return column;
  });
}

/** `properties` of `rows` as a row set whose parameters start at `$first`. */
export function rowSet<T extends ObjectLiteral>(
  m: EntityManager,
  entity: EntityTarget<T>,
  properties: ReadonlyArray<keyof T & string>,
  rows: readonly T[],
  first = 1,
): RowSet {
  const columns = columnsOf(m, entity, properties);
  const casts = columns.map((c) => (c.isArray ? 'jsonb' : String(c.type)));
  const params = columns.map((c) =>
    rows.map((row) => {
      const value = row[c.propertyName];
      if (value === null || value === undefined) return null;
      return c.isArray || c.type === 'jsonb' ? JSON.stringify(value) : value;
    }),
  );
  const names = columns.map((c) => c.databaseName);
  const types = new Map(columns.map((c) => [c.databaseName, c]));
  return {
    from: `unnest(${casts.map((cast, i) => `$${first + i}::${cast}[]`).join(', ')}) WITH ORDINALITY AS r(${[...names.map(quote), 'n'].join(', ')})`,
    columns: names,
    value(name) {
      const c = types.get(name) as ColumnMetadata;
      return c.isArray ? `CASE WHEN r.${quote(name)} IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(r.${quote(name)}))::${String(c.type)}[] END` : `r.${quote(name)}`;
    },
    params,
  };
}

/** A raw row (database column names, values as the driver typed them) as an entity. */
export function entityFromRow<T extends ObjectLiteral>(m: EntityManager, entity: EntityTarget<T>, row: Record<string, unknown>): T {
  const meta = m.connection.getMetadata(entity);
  const out = meta.create() as T;
  for (const c of meta.columns) if (c.databaseName in row) (out as Record<string, unknown>)[c.propertyName] = row[c.databaseName];
  return out;
}
