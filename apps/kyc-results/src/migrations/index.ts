import { MESSAGING_MIGRATIONS } from '@compliance/messaging';
import { CreateVerificationTables1764400000000 } from './1764400000000-create-verification-tables';
import { CreateErasureTombstones1764400000001 } from './1764400000001-create-erasure-tombstones';
import { AddIdentityDataKey1764500000000 } from './1764500000000-add-identity-data-key';
import { CreateReconciliationTables1764700000000 } from './1764700000000-create-reconciliation-tables';
import { CreateReconciliationRateLimits1764800000000 } from './1764800000000-create-reconciliation-rate-limits';

/** In order of application. */
export const MIGRATIONS = [...MESSAGING_MIGRATIONS, CreateVerificationTables1764400000000, CreateErasureTombstones1764400000001, AddIdentityDataKey1764500000000, CreateReconciliationTables1764700000000, CreateReconciliationRateLimits1764800000000];
