import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { ConsoleConfig } from '../console.config';
import { html } from '../html/html';
import { layout } from '../html/layout';
import { clearCookieHeader, sessionCookieName } from '../session/cookies';
import { SessionStore } from '../session/session.store';
import { UpstreamError } from '../upstream/service-client';
import { sendPage, type ConsoleRequest } from './console-request';
import { SignInRequired } from './session.guard';

const TITLES: Record<number, string> = { 400: 'That request was not valid', 403: 'Not allowed', 404: 'Not found', 409: 'Conflict', 429: 'Too many attempts' };

/**
 * Every error as a page of the console: a missing session goes to sign-in, a key the services no
 * longer accept ends the session, a service's refusal is shown in its own words; nothing internal.
 */
@Catch()
@Injectable()
export class ErrorPageFilter implements ExceptionFilter {
  private readonly logger = new Logger('console');

  constructor(
    private readonly config: ConsoleConfig,
    private readonly store: SessionStore,
  ) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<ConsoleRequest>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      res.end();
      return;
    }
    if (err instanceof SignInRequired || (err instanceof UpstreamError && err.status === 401)) {
      if (req.consoleSession) this.store.destroy(req.consoleSession.id);
      res.append('set-cookie', clearCookieHeader(this.config, sessionCookieName(this.config)));
      const query = err instanceof SignInRequired ? (err.next ? `?next=${encodeURIComponent(err.next)}` : '') : '?expired=1';
      res.redirect(303, `/sign-in${query}`);
      return;
    }
    const { status, message } = this.describe(err);
    if (status >= 500) this.logger.error({ err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) }, 'console request failed');
    const title = TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'Request refused');
    const body = html`<div class="notice notice-error" role="alert" data-error-status="${status}"><p>${message}</p></div><p><a href="/alerts">Back to the alert queue</a></p>`;
    sendPage(res, layout(title, { session: req.consoleSession }, body), status);
  }

  private describe(err: unknown): { status: number; message: string } {
    if (err instanceof UpstreamError) return { status: err.status >= 500 ? 502 : err.status, message: err.display };
    if (err instanceof HttpException) {
      const r = err.getResponse() as { message?: unknown } | string;
      const message = typeof r === 'string' ? r : Array.isArray(r.message) ? r.message.join('; ') : typeof r.message === 'string' ? r.message : err.message;
      return { status: err.getStatus(), message: err.getStatus() === 404 ? 'There is no page at this address.' : message };
    }
    // The body parser's errors (http-errors with a 4xx status): a form too large or unreadable.
    const status = (err as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) return { status, message: status === 413 ? 'The form is too large.' : 'The request could not be read.' };
    return { status: 500, message: 'The console could not answer this request. Try again; if it persists, tell an administrator.' };
  }
}
