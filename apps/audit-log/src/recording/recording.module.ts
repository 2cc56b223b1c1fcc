import { Module } from '@nestjs/common';
import { ChainModule } from '../chain/chain.module';
import { ErasureService } from '../erasure/erasure.service';
import { EventRecorder } from './event-recorder';
import { RecordingConsumer } from './recording.consumer';

@Module({
  imports: [ChainModule],
  providers: [RecordingConsumer, EventRecorder, ErasureService],
})
export class RecordingModule {}
