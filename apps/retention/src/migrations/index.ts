import { CreateMessagingTables1764100000000 } from '@compliance/persistence';
import { CreateRetentionTables1764300000000 } from './1764300000000-create-retention-tables';

/** In order of application. */
export const MIGRATIONS = [CreateMessagingTables1764100000000, CreateRetentionTables1764300000000];
