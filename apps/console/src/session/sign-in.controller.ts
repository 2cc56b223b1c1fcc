import { randomBytes } from 'node:crypto';
import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ROLES, type Principal } from '@compliance/platform';
import { ConsoleConfig } from '../console.config';
import { ServiceClient, UpstreamError } from '../upstream/service-client';
import { CurrentSession, field, localPath, Public, seeOther, sendPage, type ConsoleRequest } from '../web/console-request';
import { CsrfRejected } from '../web/session.guard';
import { clearCookieHeader, cookieHeader, readCookies, sessionCookieName, signInCookieName } from './cookies';
import { signInPage } from './sign-in.page';
import { SessionStore, tokensMatch, type ConsoleSession, type Flash } from './session.store';
import { SignInThrottle } from './sign-in.throttle';

/** Signing in exchanges an API key (checked by aml-trigger's GET /auth/whoami) for a session cookie. */
@Controller()
export class SignInController {
  constructor(
    private readonly config: ConsoleConfig,
    private readonly store: SessionStore,
    private readonly services: ServiceClient,
    private readonly throttle: SignInThrottle,
  ) {}

  @Get('/')
  home(@Res() res: Response): void {
    seeOther(res, '/alerts');
  }

  @Public()
  @Get('sign-in')
  form(@Req() req: ConsoleRequest, @Res() res: Response, @Query('next') next?: string, @Query('expired') expired?: string, @Query('signedOut') signedOut?: string): void {
    if (this.store.peek(readCookies(req.headers.cookie)[sessionCookieName(this.config)])) return seeOther(res, localPath(next));
    const flash: Flash | undefined = expired
      ? { kind: 'error', text: 'Your session ended or your key is no longer accepted. Sign in again.' }
      : signedOut
        ? { kind: 'success', text: 'You are signed out.' }
        : undefined;
    this.renderForm(res, localPath(next), flash, 200, readCookies(req.headers.cookie)[signInCookieName(this.config)]);
  }

  @Public()
  @Post('sign-in')
  async signIn(@Req() req: ConsoleRequest, @Body() body: unknown, @Res() res: Response): Promise<void> {
    // Login CSRF: the form's token must match the cookie set with the form (double submit).
    const held = readCookies(req.headers.cookie)[signInCookieName(this.config)];
    if (!held || !tokensMatch(field(body, '_csrf'), held)) throw new CsrfRejected();
    const next = localPath(field(body, 'next'));
    const client = req.ip ?? 'unknown';
    if (this.throttle.blocked(client)) return this.renderForm(res, next, { kind: 'error', text: 'Too many failed sign-ins from here. Wait a few minutes and try again.' }, 429, held);
    const apiKey = field(body, 'apiKey') ?? '';
    if (!apiKey) return this.renderForm(res, next, { kind: 'error', text: 'Enter your API key.' }, 400, held);
    let principal: Principal;
    try {
      principal = await this.whoami(apiKey);
    } catch (err) {
      if (err instanceof UpstreamError && err.status === 401) {
        this.throttle.failed(client);
        return this.renderForm(res, next, { kind: 'error', text: 'That API key is not valid.' }, 401, held);
      }
      const why = err instanceof UpstreamError ? err.display : 'the answer could not be read';
      return this.renderForm(res, next, { kind: 'error', text: `The key could not be checked: ${why}` }, 503, held);
    }
    this.store.destroy(readCookies(req.headers.cookie)[sessionCookieName(this.config)]);
    const session = this.store.create(apiKey, principal);
    res.append('set-cookie', cookieHeader(this.config, sessionCookieName(this.config), session.id, this.config.CONSOLE_SESSION_IDLE_MIN * 60));
    res.append('set-cookie', clearCookieHeader(this.config, signInCookieName(this.config)));
    seeOther(res, next);
  }

  @Post('sign-out')
  signOut(@CurrentSession() session: ConsoleSession, @Res() res: Response): void {
    this.store.destroy(session.id);
    res.append('set-cookie', clearCookieHeader(this.config, sessionCookieName(this.config)));
    seeOther(res, '/sign-in?signedOut=1');
  }

  private async whoami(apiKey: string): Promise<Principal> {
    const who = await this.services.json<{ name?: unknown; role?: unknown }>('aml-trigger', apiKey, '/auth/whoami');
    if (typeof who?.name !== 'string' || !ROLES.includes(who.role as Principal['role'])) throw new UpstreamError('aml-trigger', 502, 'BAD_ANSWER', 'GET /auth/whoami did not answer { name, role }');
    return { name: who.name, role: who.role as Principal['role'] };
  }

  /** Keeps a form token the browser already holds: two tabs (or a stray request) must not invalidate each other's form. */
  private renderForm(res: Response, next: string, flash?: Flash, status = 200, current?: string): void {
    const token = current && /^[A-Za-z0-9_-]{43}$/.test(current) ? current : randomBytes(32).toString('base64url');
    res.append('set-cookie', cookieHeader(this.config, signInCookieName(this.config), token, 3600));
    sendPage(res, signInPage({ token, next, flash }), status);
  }
}
