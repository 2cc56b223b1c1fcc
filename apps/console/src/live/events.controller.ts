import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ConsoleConfig } from '../console.config';
import { readCookies, sessionCookieName } from '../session/cookies';
import { SessionStore } from '../session/session.store';
import { Public, type ConsoleRequest } from '../web/console-request';
import { AlertHub } from './alert-hub';

/** `GET /events/alerts`: the live alert feed as server-sent events, for signed-in users only. */
@Controller('events')
export class EventsController {
  constructor(
    private readonly config: ConsoleConfig,
    private readonly store: SessionStore,
    private readonly hub: AlertHub,
  ) {}

  // Public to the guard, which would redirect: a stream answers 401 instead, and opening it does not
  // count as activity that keeps a session alive.
  @Public()
  @Get('alerts')
  stream(@Req() req: ConsoleRequest, @Res() res: Response): void {
    const session = this.store.peek(readCookies(req.headers.cookie)[sessionCookieName(this.config)]);
    if (!session) {
      res.status(401).type('text/plain').send('sign in first');
      return;
    }
    if (!this.hub.open(res, session.id)) res.status(429).type('text/plain').send('too many live streams for this session');
  }
}
