import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Response } from 'express';
import { SessionStore } from '../session/session.store';

interface Client {
  res: Response;
  sessionId: string;
}

/** Streams per session at most: a tab or two each, not a way to hold the server's sockets. */
export const MAX_STREAMS_PER_SESSION = 8;
const KEEP_ALIVE_MS = 15_000;

/**
 * The browsers listening for live alerts (server-sent events). Each stream belongs to a session and
 * ends when the session does: at sign-out at once, at expiry when the store or a keep-alive notices
 * (a stream does not count as activity).
 */
@Injectable()
export class AlertHub implements OnApplicationShutdown {
  private readonly clients = new Set<Client>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly store: SessionStore) {
    this.timer = setInterval(() => this.keepAlive(), KEEP_ALIVE_MS);
    this.timer.unref();
    store.onEnd((sessionId) => this.closeSession(sessionId));
  }

  /** Opens a stream; false when the session has too many already. */
  open(res: Response, sessionId: string): boolean {
    if ([...this.clients].filter((c) => c.sessionId === sessionId).length >= MAX_STREAMS_PER_SESSION) return false;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', connection: 'keep-alive' });
    res.write('retry: 3000\n\n');
    const client = { res, sessionId };
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
    return true;
  }

  /** JSON data on one line: JSON.stringify escapes newlines, so a value cannot end the frame. */
  publish(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.clients) c.res.write(frame);
  }

  get size(): number {
    return this.clients.size;
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }

  private closeSession(sessionId: string): void {
    for (const c of this.clients) {
      if (c.sessionId !== sessionId) continue;
      c.res.end();
      this.clients.delete(c);
    }
  }

  private keepAlive(): void {
    for (const c of this.clients) {
      if (this.store.peek(c.sessionId)) c.res.write(': keep-alive\n\n');
      else {
        c.res.end();
        this.clients.delete(c);
      }
    }
  }
}
