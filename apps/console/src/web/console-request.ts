import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { SafeHtml } from '../html/html';
import type { ConsoleSession } from '../session/session.store';

export interface ConsoleRequest extends Request {
  consoleSession?: ConsoleSession;
}

export const PUBLIC_ROUTE = 'console:public';

/** A route that needs no session (sign-in, assets, health). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The signed-in user's session (the guard has checked it). */
export const CurrentSession = createParamDecorator((_: unknown, ctx: ExecutionContext): ConsoleSession => ctx.switchToHttp().getRequest<ConsoleRequest>().consoleSession as ConsoleSession);

/** An HTML page; never cached (it may show personal data). */
export function sendPage(res: Response, page: SafeHtml, status = 200): void {
  res.status(status).type('html').set('cache-control', 'no-store').send(page.value);
}

/** POST → redirect → GET: a reload does not send the form again. */
export function seeOther(res: Response, url: string): void {
  res.redirect(303, url);
}

/** Only paths of this console: an absolute or protocol-relative `next` would send the user elsewhere. */
export function localPath(value: unknown, fallback = '/alerts'): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) && !value.startsWith('/sign-') ? value : fallback;
}

/** A string field of a urlencoded form, trimmed; undefined when absent. */
export function field(body: unknown, name: string): string | undefined {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.trim() : undefined;
}
