import { CreateMessagingTables1764100000000 } from '@compliance/persistence';
import { CreateScreeningTables1764200000000 } from './1764200000000-create-screening-tables.migration';

/** In order of application. */
export const MIGRATIONS = [CreateMessagingTables1764100000000, CreateScreeningTables1764200000000];
