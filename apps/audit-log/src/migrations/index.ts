import { CreateAuditChain1764500000000 } from './1764500000000-create-audit-chain.migration';
import { AddAuditTraceId1764600000000 } from './1764600000000-add-audit-trace-id.migration';
import { CreateMessagingTables1764100000000 } from '@compliance/messaging';

/** In order of application. */
export const MIGRATIONS = [CreateMessagingTables1764100000000, CreateAuditChain1764500000000, AddAuditTraceId1764600000000];
