import type { ConsoleConfig } from '../console.config';

/** Cookie names: with a Secure cookie, the `__Host-` prefix also pins it to this host and path. */
export function sessionCookieName(config: ConsoleConfig): string {
  return config.secureCookie ? '__Host-console_session' : 'console_session';
}

export function signInCookieName(config: ConsoleConfig): string {
  return config.secureCookie ? '__Host-console_signin' : 'console_signin';
}

/** The request's cookies (no dependency: the console reads two of them). */
export function readCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of (header ?? '').split(';')) {
    const part = raw.trim();
    const at = part.indexOf('=');
    if (at < 1) continue;
    const name = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    try {
      out[name] ??= decodeURIComponent(value);
    } catch {
      // A malformed value is no session.
    }
  }
  return out;
}

/** httpOnly (no script reads it), SameSite=Strict (no other site sends it), Path=/, Secure behind https. */
export function cookieHeader(config: ConsoleConfig, name: string, value: string, maxAgeSec: number): string {
  return [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSec}`, ...(config.secureCookie ? ['Secure'] : [])].join('; ');
}

export function clearCookieHeader(config: ConsoleConfig, name: string): string {
  return cookieHeader(config, name, '', 0);
}
