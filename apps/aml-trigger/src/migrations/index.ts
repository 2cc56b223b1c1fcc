import { CreateScreeningTables1764200000000 } from './1764200000000-create-screening-tables.migration';
import { CreateMessagingTables1764100000000 } from '@compliance/messaging';
import { IndexAlertLookups1764200000001 } from './1764200000001-index-alert-lookups.migration';
import { CreateErasureTombstones1764200000002 } from './1764200000002-create-erasure-tombstones.migration';
import { AlertSecondReview1764200000003 } from './1764200000003-alert-second-review.migration';
import { IndexAlertQueue1764200000004 } from './1764200000004-index-alert-queue.migration';

/** In order of application. */
export const MIGRATIONS = [CreateMessagingTables1764100000000, CreateScreeningTables1764200000000, IndexAlertLookups1764200000001, CreateErasureTombstones1764200000002, AlertSecondReview1764200000003, IndexAlertQueue1764200000004];
