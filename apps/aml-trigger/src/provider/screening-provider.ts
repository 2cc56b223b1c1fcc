import type { ScreeningIdentity, ScreeningVerdict } from '../screenings/screening.types';

export interface ProviderScreenRequest {
  identity: ScreeningIdentity;
  /** `list/entityId` keys an analyst cleared as false positives for this subject. */
  suppressedHitKeys: ReadonlySet<string>;
  /** Stable per screening, so a retried call is not billed or recorded twice by the provider. */
  idempotencyKey: string;
}

/** Whoever screens: the built-in screener over local lists, or a remote provider. */
export abstract class ScreeningProvider {
  abstract readonly name: 'builtin' | 'didit';
  /**
   * True when `screen` is pure computation that may run inside the consumer's transaction; a
   * remote provider is called outside any transaction by the pending-screening worker instead.
   */
  abstract readonly inline: boolean;
  /** What the provider screens against now (list content hashes); part of a screening's idempotency key. */
  abstract listSetKey(): string;
  abstract screen(request: ProviderScreenRequest): Promise<ScreeningVerdict>;
}

/** The provider could not give an answer; `attempts` says how hard we tried. */
export class ProviderFailure extends Error {
  constructor(
    message: string,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'ProviderFailure';
  }
}
