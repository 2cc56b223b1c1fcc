/** An EntityManager (inside a transaction) or the DataSource: both run raw SQL. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A table column a set of rows is written to: the property that holds it, its name and its SQL type (`text[]` for an array). */
export type SqlColumn<T> = readonly [property: keyof T & string, name: string, type: string];

/**
 * Many rows as one set for `INSERT … SELECT` / `UPDATE … FROM`: one array parameter per column,
 * unnested side by side, with the list position as `n` (so a statement can keep the list order).
 * Array columns travel as jsonb (unnest would flatten a two-dimensional array) and are turned back
 * into arrays by `value`.
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
const elementType = (type: string) => (type.endsWith('[]') ? type.slice(0, -2) : undefined);

/** `columns` of `rows` as a row set whose parameters start at `$first`. */
export function rowSet<T>(columns: ReadonlyArray<SqlColumn<T>>, rows: readonly T[], first = 1): RowSet {
  const casts = columns.map(([, , type]) => (elementType(type) ? 'jsonb' : type));
  const params = columns.map(([property, , type]) =>
    rows.map((row) => {
      const value = row[property];
      if (value === null || value === undefined) return null;
      return elementType(type) || type === 'jsonb' ? JSON.stringify(value) : value;
    }),
  );
  const names = columns.map(([, name]) => name);
  const types = new Map(columns.map(([, name, type]) => [name, type]));
  return {
    from: `unnest(${casts.map((cast, i) => `$${first + i}::${cast}[]`).join(', ')}) WITH ORDINALITY AS r(${[...names.map(quote), 'n'].join(', ')})`,
    columns: names,
    value(name) {
      const element = elementType(types.get(name) as string);
      return element ? `CASE WHEN r.${quote(name)} IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(r.${quote(name)}))::${element}[] END` : `r.${quote(name)}`;
    },
    params,
  };
}
