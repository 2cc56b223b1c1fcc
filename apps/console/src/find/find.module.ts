import { Module } from '@nestjs/common';
import { FindController } from './find.controller';

@Module({ controllers: [FindController] })
export class FindModule {}
