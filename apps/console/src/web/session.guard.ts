import { CanActivate, ExecutionContext, ForbiddenException, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HealthController, MetricsController } from '@compliance/observability';
import { ConsoleConfig } from '../console.config';
import { sessionCookieName, readCookies } from '../session/cookies';
import { SessionStore, tokensMatch } from '../session/session.store';
import { PUBLIC_ROUTE, type ConsoleRequest } from './console-request';

/** No session: the user is sent to sign in, and back to `next` afterwards. */
export class SignInRequired extends HttpException {
  constructor(readonly next?: string) {
    super('sign in first', HttpStatus.SEE_OTHER);
  }
}

/** A form not from this console (no or another token, another origin): refused. */
export class CsrfRejected extends ForbiddenException {
  constructor() {
    super({ statusCode: 403, code: 'CSRF', message: 'This form was not sent from a page of this console, or the page is too old. Reload the page and try again.' });
  }
}

/**
 * Every route but the public ones needs a session; every POST also needs the session's CSRF token
 * and, when the browser names it, this console as its origin.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: SessionStore,
    private readonly config: ConsoleConfig,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<ConsoleRequest>();
    if (!sameOrigin(req)) throw new CsrfRejected();
    const cls = ctx.getClass();
    if (cls === HealthController || cls === MetricsController || this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [ctx.getHandler(), cls])) return true;
    const session = this.store.touch(readCookies(req.headers.cookie)[sessionCookieName(this.config)]);
    if (!session) throw new SignInRequired(req.method === 'GET' ? req.originalUrl : undefined);
    if (req.method !== 'GET' && req.method !== 'HEAD' && !tokensMatch((req.body as Record<string, unknown> | undefined)?._csrf, session.csrf)) throw new CsrfRejected();
    req.consoleSession = session;
    return true;
  }
}

/**
 * A state-changing request must come from a page of this console: browsers send `Origin` on a POST
 * (and `Sec-Fetch-Site`), which must name this host. Reads (GET) are not checked.
 */
export function sameOrigin(req: ConsoleRequest): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (origin === 'null') return false;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
