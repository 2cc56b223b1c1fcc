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
      // search_path pins raw SQL (inbox, outbox, migrations) to the service's schema.
      options: `-c search_path=${schema}${opts.role ? ` -c role=${assertIdentifier(opts.role)}` : ''}`,
    },
  });
}
