import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole, type Principal } from '@compliance/platform';
import { TimelineService } from './timeline.service';
import { AddNoteDto } from './notes.dto';
import { NotesService } from './notes.service';

/** A verification's story: its timeline and the case notes written about it. There is no edit or delete. */
@ApiTags('sessions')
@Controller('sessions/:sessionId')
export class SessionsController {
  constructor(
    private readonly timeline: TimelineService,
    private readonly notes: NotesService,
  ) {}

  @Get('timeline')
  @RequireRole('auditor')
  @ApiOkResponse({ description: 'every step of the verification, gateway to retention, notes included' })
  timelineOf(@Param('sessionId') sessionId: string) {
    return this.timeline.of(sessionId);
  }

  /** Case handlers (analysts) write notes; the author is the API key's principal, never a body field. */
  @Post('notes')
  @HttpCode(201)
  @RequireRole('analyst')
  @ApiCreatedResponse({ description: 'the note as chained (sequence, hash)' })
  addNote(@Param('sessionId') sessionId: string, @Body() body: AddNoteDto, @CurrentPrincipal() principal: Principal) {
    return this.notes.add(sessionId, principal.name, body.text);
  }
}
