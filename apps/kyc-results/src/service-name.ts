/** The service name (Kafka client id, outbox relay, retention confirmations) and the schema it owns. */
export const SERVICE_NAME = 'kyc-results';
export const SCHEMA = 'kyc_results';
