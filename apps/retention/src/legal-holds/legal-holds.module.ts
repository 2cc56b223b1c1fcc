import { Module } from '@nestjs/common';
import { ErasureModule } from '../erasure/erasure.module';
import { LegalHoldsController } from './legal-holds.controller';
import { LegalHoldsService } from './legal-holds.service';

@Module({
  imports: [ErasureModule],
  controllers: [LegalHoldsController],
  providers: [LegalHoldsService],
})
export class LegalHoldsModule {}
