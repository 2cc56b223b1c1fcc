import { CreateAuditChain1764500000000 } from './1764500000000-create-audit-chain.migration';
import { AddAuditTraceId1764600000000 } from './1764600000000-add-audit-trace-id.migration';
import { ChainCheckpoints1764700000000 } from './1764700000000-chain-checkpoints.migration';
import { ErasedRefs1764800000000 } from './1764800000000-erased-refs.migration';
import { OccurredAtBrin1764900000001 } from './1764900000001-occurred-at-brin.migration';
import { EntryDataWithoutFk1765000000000 } from './1765000000000-entry-data-without-fk.migration';
import { CreateMessagingTables1764100000000 } from '@compliance/messaging';

/** In order of application. */
export const MIGRATIONS = [CreateMessagingTables1764100000000, CreateAuditChain1764500000000, AddAuditTraceId1764600000000, ChainCheckpoints1764700000000, ErasedRefs1764800000000, OccurredAtBrin1764900000001, EntryDataWithoutFk1765000000000];
