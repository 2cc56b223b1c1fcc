import { Module } from '@nestjs/common';
import { IngestReadiness } from './ingest-readiness';
import { InboundPublisher } from './inbound-publisher';
import { KafkaCircuit } from './kafka-circuit';
import { SpoolRelay } from './spool-relay';
import { SpoolStore } from './spool.store';

/** Getting records into Kafka, and the Postgres spool that stands in when Kafka cannot take them. */
@Module({
  providers: [InboundPublisher, KafkaCircuit, SpoolStore, SpoolRelay, IngestReadiness],
  exports: [InboundPublisher, KafkaCircuit, SpoolStore, SpoolRelay],
})
export class SpoolModule {}
