import { CreateAuditChain1764500000000 } from './1764500000000-create-audit-chain.migration';
import { CreateMessagingTables1764100000000 } from '@compliance/messaging';

/** In order of application. */
export const MIGRATIONS = [CreateMessagingTables1764100000000, CreateAuditChain1764500000000];
