import { Injectable } from '@nestjs/common';

const WINDOW_MS = 5 * 60_000;
const MAX_FAILURES = 10;

/** Failed sign-ins per client address: guessing keys through the console is slowed to a crawl. */
@Injectable()
export class SignInThrottle {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();
  now: () => number = Date.now;

  blocked(client: string): boolean {
    const f = this.failures.get(client);
    if (!f) return false;
    if (f.resetAt <= this.now()) {
      this.failures.delete(client);
      return false;
    }
    return f.count >= MAX_FAILURES;
  }

  failed(client: string): void {
    const at = this.now();
    const f = this.failures.get(client);
    if (!f || f.resetAt <= at) this.failures.set(client, { count: 1, resetAt: at + WINDOW_MS });
    else f.count++;
    if (this.failures.size > 10_000) for (const [k, v] of this.failures) if (v.resetAt <= at) this.failures.delete(k);
  }
}
