import { CreateMessagingTables1764100000000 } from '@compliance/persistence';
import { CreateRetentionTables1764300000000 } from './1764300000000-create-retention-tables';
import { AddPurgeDeadline1764300000001 } from './1764300000001-add-purge-deadline';

/** In order of application. */
export const MIGRATIONS = [CreateMessagingTables1764100000000, CreateRetentionTables1764300000000, AddPurgeDeadline1764300000001];
