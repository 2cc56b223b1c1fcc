import { DataSource, type MixedList, type EntitySchema } from 'typeorm';
import { assertIdentifier } from './database';

export interface ServiceDataSourceOptions {
  url: string;
  /** The service's own schema; every unqualified table name resolves there. */
  schema: string;
  entities?: MixedList<string | (new () => unknown) | EntitySchema>;
  migrations?: Array<new () => unknown>;
  poolSize?: number;
  /**
   * The role every connection works as (`SET ROLE` at connection start): a service's runtime role,
   * which holds only the grants it needs on its own schema (see `ensureRuntimeRole`).
   */
  role?: string;
}

export function createServiceDataSource(opts: ServiceDataSourceOptions): DataSource {
  const schema = assertIdentifier(opts.schema);
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    schema,
    entities: opts.entities ?? [],
    migrations: opts.migrations ?? [],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: {
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
      options: connectionOptions(schema, opts.role),
    },
  });
}

/**
 * The startup options of a service's connections:
 * - `search_path` pins raw SQL (inbox, outbox, migrations) to the service's schema;
 * - `role`, when given, is the role the connection works as;
 * - `plan_cache_mode=force_custom_plan`: a prepared statement (`runPrepared`) is parsed once but
 *   planned for each call's values, as a statement sent as text is. Left to choose, Postgres took a
 *   generic plan after five calls, made while the tables were nearly empty: sequential scans that
 *   stayed as the tables grew (300 ms a lookup by event id in the pipeline benchmark).
 */
export function connectionOptions(schema: string, role?: string): string {
  return `-c search_path=${schema}${role ? ` -c role=${assertIdentifier(role)}` : ''} -c plan_cache_mode=force_custom_plan`;
}
