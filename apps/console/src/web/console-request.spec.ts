import { localPath } from './console-request';
import { sameOrigin } from './session.guard';
import type { ConsoleRequest } from './console-request';

const post = (headers: Record<string, string>) => ({ method: 'POST', headers: { host: 'console.example:3005', ...headers } }) as unknown as ConsoleRequest;

describe('request checks', () => {
  it('takes a form POST from this console’s own pages only', () => {
    expect(sameOrigin(post({ origin: 'http://console.example:3005', 'sec-fetch-site': 'same-origin' }))).toBe(true);
    expect(sameOrigin(post({}))).toBe(true);
    expect(sameOrigin(post({ origin: 'https://evil.example' }))).toBe(false);
    expect(sameOrigin(post({ origin: 'null' }))).toBe(false);
    expect(sameOrigin(post({ origin: 'http://console.example:3005', 'sec-fetch-site': 'cross-site' }))).toBe(false);
    expect(sameOrigin({ method: 'GET', headers: { origin: 'https://evil.example' } } as unknown as ConsoleRequest)).toBe(true);
  });

  it('returns after sign-in only to a path of this console', () => {
    expect(localPath('/alerts/1?x=2')).toBe('/alerts/1?x=2');
    expect(localPath('//evil.example/x')).toBe('/alerts');
    expect(localPath('/\\evil.example')).toBe('/alerts');
    expect(localPath('https://evil.example')).toBe('/alerts');
    expect(localPath('/sign-in')).toBe('/alerts');
    expect(localPath(undefined)).toBe('/alerts');
  });
});
