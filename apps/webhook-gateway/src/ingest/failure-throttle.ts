import { Injectable } from '@nestjs/common';
import { WebhookGatewayConfig } from '../webhook-gateway.config';

/** Addresses tracked at most; beyond it the oldest windows are forgotten (memory stays bounded under a spread-out flood). */
const MAX_TRACKED = 100_000;

interface Window {
  start: number;
  failures: number;
}

/**
 * Counts unauthenticated failures per remote address in fixed windows. Only failures are counted and
 * only failures are throttled: a verified webhook from a throttled address is still accepted, so a
 * flood sharing an address (a NAT, a proxy) with the provider never drops a real delivery.
 */
@Injectable()
export class FailureThrottle {
  private readonly windows = new Map<string, Window>();
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(config: WebhookGatewayConfig) {
    this.limit = config.WEBHOOK_AUTH_FAILURE_LIMIT;
    this.windowMs = config.WEBHOOK_AUTH_FAILURE_WINDOW_SEC * 1000;
  }

  /** Records a failure; returns the seconds until the window ends when the address is over the limit. */
  recordFailure(address: string, now = Date.now()): number | undefined {
    let window = this.windows.get(address);
    if (!window || now - window.start >= this.windowMs) {
      window = { start: now, failures: 0 };
      this.windows.delete(address); // re-inserted last: the map stays ordered by window start
      this.windows.set(address, window);
      this.forgetOld(now);
    }
    window.failures++;
    return window.failures > this.limit ? Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000)) : undefined;
  }

  private forgetOld(now: number): void {
    for (const [address, window] of this.windows) {
      if (this.windows.size <= MAX_TRACKED && now - window.start < this.windowMs) return;
      this.windows.delete(address);
    }
  }
}
