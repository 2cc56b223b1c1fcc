import { Inject, Injectable, Optional } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { GroupCommit } from '@compliance/messaging';
import type { DataKeyOwner, ErasedOwner, IssuedKey, Keyring } from '@compliance/persistence';
import { KEYRING } from '@compliance/platform';
import type { DeliveryFacts } from '../signatures/signature-scheme';
import { CLAIM_GATHER } from './delivery-ledger';
import { dataKeyOwnerOf } from './inbound-webhook';
import { WebhookRejection } from './webhook-rejection';

/**
 * The data key each verified webhook's payload is sealed under: its subject's (else its session's),
 * from the keyring. Concurrent requests share one keyring round trip (group commit). An owner erased
 * before gets no new key (the same statement says so): their webhook is published without its payload.
 * Without a keyring (KEYRING_MASTER_KEY unset, which only development and tests allow) payloads stay in clear.
 */
@Injectable()
export class WebhookDataKeys {
  private readonly batches?: GroupCommit<DataKeyOwner, IssuedKey | ErasedOwner>;

  constructor(
    @Optional() @Inject(KEYRING) keyring: Keyring | null,
    private readonly logger: PinoLogger,
  ) {
    // Gathered as the claims are: while requests come in small batches, one waits a few milliseconds for others.
    if (keyring) this.batches = new GroupCommit((owners) => keyring.keysFor(owners, { skipErased: true }), 256, CLAIM_GATHER);
  }

  get enabled(): boolean {
    return this.batches !== undefined;
  }

  /** The key to seal under; `erased` (no key) when the owner was erased before; undefined without a keyring. */
  async keyFor(facts: DeliveryFacts, payload: Record<string, unknown>): Promise<IssuedKey | ErasedOwner | undefined> {
    if (!this.batches) return undefined;
    try {
      return await this.batches.submit(dataKeyOwnerOf(facts, payload));
    } catch (err) {
      // Without its key a webhook cannot be sealed, and is never published in clear: an honest 503 the provider retries.
      this.logger.error({ err: (err as Error).message }, 'no data key for a verified webhook');
      throw new WebhookRejection('UNAVAILABLE', undefined, 30);
    }
  }
}
