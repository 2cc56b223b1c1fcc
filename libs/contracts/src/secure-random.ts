import { randomFillSync } from 'node:crypto';

// Each call to the system's random source is a system call; taking bytes from a pool refilled 4 KiB
// at a time makes span ids, IVs and salts cost a copy instead (as Node's own randomUUID does).
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let used = POOL_BYTES;

/** `n` bytes from the operating system's CSPRNG; every byte is handed out once. */
export function secureRandomBytes(n: number): Buffer {
  if (n > POOL_BYTES) return randomFillSync(Buffer.allocUnsafe(n));
  if (used + n > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const out = Buffer.from(pool.subarray(used, used + n));
  // Bytes handed out are wiped from the pool, so a later reader of the pool cannot learn them.
  pool.fill(0, used, used + n);
  used += n;
  return out;
}
