import { Injectable } from '@nestjs/common';
import { WebhookGatewayConfig } from '../webhook-gateway.config';

/** Addresses tracked at most; beyond it the oldest windows are forgotten (memory stays bounded under a spread-out flood). */
const MAX_TRACKED = 100_000;

interface Window {
  start: number;
  failures: number;
}

/**
 * Counts unauthenticated failures per remote address in fixed windows. Once an address has had
 * `limit` failures in its window, its requests are refused before their body is read, until the
 * window ends: a flood then costs no reading, parsing or verifying, and no memory for bodies.
 * The price: a verified webhook sent from that address meanwhile is refused too (the provider
 * retries); other addresses are not affected.
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

  /** Seconds until the address's window ends when it has used up its failures; undefined when it may be served. */
  blockedFor(address: string, now = Date.now()): number | undefined {
    const window = this.windows.get(address);
    if (!window || now - window.start >= this.windowMs || window.failures < this.limit) return undefined;
    return Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
  }

  recordFailure(address: string, now = Date.now()): void {
    let window = this.windows.get(address);
    if (!window || now - window.start >= this.windowMs) {
      window = { start: now, failures: 0 };
      this.windows.delete(address); // re-inserted last: the map stays ordered by window start
      this.windows.set(address, window);
      this.forgetOld(now);
    }
    window.failures++;
  }

  private forgetOld(now: number): void {
    for (const [address, window] of this.windows) {
      if (this.windows.size <= MAX_TRACKED && now - window.start < this.windowMs) return;
      this.windows.delete(address);
    }
  }
}
