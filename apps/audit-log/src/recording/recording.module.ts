import { Module } from '@nestjs/common';
import { ChainModule } from '../chain/chain.module';
import { ErasureService } from '../erasure/erasure.service';
import { RecordingConsumer } from './recording.consumer';

@Module({
  imports: [ChainModule],
  providers: [RecordingConsumer, ErasureService],
})
export class RecordingModule {}
