import { Module } from '@nestjs/common';
import { PurgesService } from './purges.service';

@Module({ providers: [PurgesService], exports: [PurgesService] })
export class PurgesModule {}
