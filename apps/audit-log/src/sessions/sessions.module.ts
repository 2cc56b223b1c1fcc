import { Module } from '@nestjs/common';
import { ChainModule } from '../chain/chain.module';
import { NotesService } from './notes.service';
import { SessionsController } from './sessions.controller';
import { TimelineService } from './timeline.service';

@Module({ imports: [ChainModule], controllers: [SessionsController], providers: [TimelineService, NotesService] })
export class SessionsModule {}
