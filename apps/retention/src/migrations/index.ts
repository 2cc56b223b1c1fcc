import { CreateRetentionTables1764300000000 } from './1764300000000-create-retention-tables';
import { CreateMessagingTables1764100000000 } from '@compliance/messaging';
import { AddPurgeDeadline1764300000001 } from './1764300000001-add-purge-deadline';
import { IndexTrackedSessionSubjects1764300000002 } from './1764300000002-index-tracked-session-subjects';
import { AddErasureKeysDestroyed1764500000000 } from './1764500000000-add-erasure-keys-destroyed';

/** In order of application. */
export const MIGRATIONS = [CreateMessagingTables1764100000000, CreateRetentionTables1764300000000, AddPurgeDeadline1764300000001, IndexTrackedSessionSubjects1764300000002, AddErasureKeysDestroyed1764500000000];
