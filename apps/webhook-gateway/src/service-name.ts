/** The gateway's name (Kafka client id, `service` in retention confirmations, log name) and its Postgres schema. */
export const SERVICE_NAME = 'webhook-gateway';
export const SCHEMA = 'webhook_gateway';
