import { CreateMessagingTables1764100000000 } from '@compliance/persistence';

/** In order of application. */
export const MIGRATIONS = [CreateMessagingTables1764100000000];
