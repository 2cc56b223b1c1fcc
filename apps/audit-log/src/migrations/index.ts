import { CreateMessagingTables1764100000000 } from '@compliance/persistence';
import { CreateAuditChain1764500000000 } from './1764500000000-create-audit-chain.migration';

/** In order of application. */
export const MIGRATIONS = [CreateMessagingTables1764100000000, CreateAuditChain1764500000000];
