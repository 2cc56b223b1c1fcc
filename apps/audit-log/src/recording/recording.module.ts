import { Module } from '@nestjs/common';
import { ChainModule } from '../chain/chain.module';
import { ErasureService } from '../erasure/erasure.service';
import { EventRecorder } from './event-recorder';
import { RecordingController } from './recording.controller';

@Module({
  imports: [ChainModule],
  controllers: [RecordingController],
  providers: [EventRecorder, ErasureService],
})
export class RecordingModule {}
