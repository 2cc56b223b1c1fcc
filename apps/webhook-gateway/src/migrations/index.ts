import { CreateGatewayTables1764600000000 } from './1764600000000-create-gateway-tables.migration';
import { CreateMessagingTables1764100000000 } from '@compliance/messaging';
import { DeliveriesRoomForSettling1764600000001 } from './1764600000001-deliveries-room-for-settling.migration';
import { DeliveriesFewerIndexes1764600000002 } from './1764600000002-deliveries-fewer-indexes.migration';

/** In order of application. */
export const MIGRATIONS = [CreateMessagingTables1764100000000, CreateGatewayTables1764600000000, DeliveriesRoomForSettling1764600000001, DeliveriesFewerIndexes1764600000002];
