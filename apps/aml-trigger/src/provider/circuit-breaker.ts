export type BreakerState = 'closed' | 'open' | 'half_open';

export class CircuitOpenError extends Error {
  constructor(readonly retryAt: number) {
    super('circuit open: the provider failed repeatedly, calls are paused');
    this.name = 'CircuitOpenError';
  }
}

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  openMs: number;
  now?: () => number;
  onStateChange?: (state: BreakerState) => void;
}

/**
 * Stops hammering a provider that keeps failing: after N consecutive failures calls fail fast for
 * `openMs`, then a single trial call decides whether to close again or stay open. Only failures the
 * caller reports as the provider's (`countsAsFailure`) move the breaker; our own bad requests do not.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private current: BreakerState = 'closed';

  constructor(private readonly opts: CircuitBreakerOptions) {}

  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.opts.openMs) this.transition('half_open');
    return this.current;
  }

  async execute<T>(call: () => Promise<T>, countsAsFailure: (err: unknown) => boolean = () => true): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half_open' && this.trialInFlight)) throw new CircuitOpenError(this.openedAt + this.opts.openMs);
    const trial = state === 'half_open';
    if (trial) this.trialInFlight = true;
    try {
      const result = await call();
      this.failures = 0;
      if (this.current !== 'closed') this.transition('closed');
      return result;
    } catch (err) {
      if (countsAsFailure(err)) this.recordFailure(trial);
      else if (trial) this.transition('closed');
      throw err;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  private recordFailure(trial: boolean): void {
    this.failures += 1;
    if (trial || this.failures >= this.opts.failureThreshold) {
      this.openedAt = this.now();
      this.transition('open');
    }
  }

  private transition(state: BreakerState): void {
    if (state === this.current) return;
    this.current = state;
    if (state === 'closed') this.failures = 0;
    this.opts.onStateChange?.(state);
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }
}
