import { CreateVerificationTables1764400000000 } from './1764400000000-create-verification-tables';
import { CreateMessagingTables1764100000000 } from '@compliance/messaging';

/** In order of application. */
export const MIGRATIONS = [CreateMessagingTables1764100000000, CreateVerificationTables1764400000000];
