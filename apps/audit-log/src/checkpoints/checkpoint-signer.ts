import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { auditCheckpointMessage, type AuditCheckpointData } from '@compliance/contracts';
import { pemBlocks } from '../audit-log.config';
import type { ChainHead } from '../chain/chain.repository';

/** keyId: the first 16 hex characters of SHA-256 over the public key's SPKI DER. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/** Signs chain heads with the service's Ed25519 key (AUDIT_SIGNING_KEY). */
export class CheckpointSigner {
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly keyId: string;

  constructor(privatePem: string) {
    this.privateKey = createPrivateKey(privatePem);
    this.publicKey = createPublicKey(this.privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  get publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  /** Signs the head and, with it, the checkpoint before it (`previous`), chaining the checkpoints. */
  sign(head: ChainHead, previous: { sequence: number; hash: string }, signedAt = new Date().toISOString()): AuditCheckpointData {
    const chained = { sequence: head.sequence, hash: head.hash, signedAt, previousSequence: previous.sequence, previousHash: previous.hash };
    const message = auditCheckpointMessage(chained);
    return {
      ...chained,
      algorithm: 'Ed25519',
      signature: sign(null, Buffer.from(message, 'utf8'), this.privateKey).toString('base64'),
      keyId: this.keyId,
      publicKey: this.publicKeyPem,
    };
  }
}

/** The public keys a verifier trusts, by keyId. */
export class TrustedKeys {
  private readonly byId = new Map<string, KeyObject>();

  constructor(keys: KeyObject[] = []) {
    for (const key of keys) this.byId.set(keyIdOf(key), key);
  }

  /** From PEM text: private keys contribute their public half, several blocks may be concatenated. */
  static fromPem(...texts: Array<string | undefined>): TrustedKeys {
    const keys = texts.flatMap((t) => pemBlocks(t ?? '')).map((pem) => createPublicKey(pem));
    return new TrustedKeys(keys);
  }

  get size(): number {
    return this.byId.size;
  }

  /** Why the checkpoint's signature does not hold, or undefined when it does. */
  problemWith(cp: Pick<AuditCheckpointData, 'sequence' | 'hash' | 'signedAt' | 'signature' | 'keyId' | 'previousSequence' | 'previousHash'>): string | undefined {
    const key = this.byId.get(cp.keyId);
    if (!key) return `checkpoint ${cp.sequence} is signed by key ${cp.keyId}, which is not trusted`;
    const message = Buffer.from(auditCheckpointMessage(cp), 'utf8');
    const ok = verify(null, message, key, Buffer.from(cp.signature, 'base64'));
    return ok ? undefined : `checkpoint ${cp.sequence} has an invalid signature`;
  }
}
