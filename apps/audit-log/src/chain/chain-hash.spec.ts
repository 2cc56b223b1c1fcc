import { createHash } from 'node:crypto';
import { canonicalJson } from '@compliance/contracts';
import { canonicalHeader, dataHashOf, entryHashOf, GENESIS_HASH, isoMillis, type EntryHeader } from './chain-hash';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

// The worked example of docs/audit-log.md: an external verifier must arrive at these values.
const header: EntryHeader = {
  sequence: 1,
  eventId: 'evt-1',
  type: 'kyc.verification.approved',
  source: 'urn:compliance:kyc-results',
  subjectRef: 'customer-1001',
  sessionId: null,
  occurredAt: '2026-01-01T00:00:00.000Z',
  recordedAt: '2026-01-01T00:00:01.250Z',
};
const salt = '00112233445566778899aabbccddeeff';
const data = '{"status":"approved"}';

describe('chain hash definition', () => {
  it('canonicalises the header with sorted keys, compact separators and null for an absent reference', () => {
    expect(canonicalHeader(header)).toBe(
      '{"eventId":"evt-1","occurredAt":"2026-01-01T00:00:00.000Z","recordedAt":"2026-01-01T00:00:01.250Z","sequence":1,' +
        '"sessionId":null,"source":"urn:compliance:kyc-results","subjectRef":"customer-1001","type":"kyc.verification.approved"}',
    );
  });

  it('commits to the trace id when the entry has one, and leaves the key out when it has none', () => {
    const traced = { ...header, traceId: '4bf92f3577b34da6a3ce929d0e0e4736' };
    expect(canonicalHeader(traced)).toBe(canonicalJson(traced));
    expect(canonicalHeader(traced)).toContain('"subjectRef":"customer-1001","traceId":"4bf92f3577b34da6a3ce929d0e0e4736","type"');
    expect(canonicalHeader({ ...header, traceId: null })).toBe(canonicalHeader(header));
    expect(entryHashOf(GENESIS_HASH, traced, 'd')).not.toBe(entryHashOf(GENESIS_HASH, header, 'd'));
  });

  it('prints the header exactly as canonicalJson does', () => {
    const awkward = ['ünï "quoted" \\ \n', 'tab\tand\u0001\u001f', '\u007f\u2028\u2029', 'pair \ud83d\ude00', 'lone \ud800 and \udfff', '</script>', ''];
    const headers: EntryHeader[] = [header, ...awkward.map((s, i) => ({ ...header, sequence: 2 ** 40 + i, sessionId: 's-1', subjectRef: null, eventId: s, type: s, source: s }))];
    headers.push({ ...header, sessionId: awkward[0], subjectRef: awkward[3] });
    for (const h of headers) {
      expect(canonicalHeader(h)).toBe(canonicalJson({ ...h, sessionId: h.sessionId ?? null, subjectRef: h.subjectRef ?? null }));
    }
  });

  it('computes data_hash = SHA-256(salt ‖ data) and hash = SHA-256(prev_hash ‖ canonical(header) ‖ data_hash) over hex text', () => {
    const dataHash = dataHashOf(salt, data);
    expect(dataHash).toBe(sha256(salt + data));
    expect(entryHashOf(GENESIS_HASH, header, dataHash)).toBe(sha256(GENESIS_HASH + canonicalHeader(header) + dataHash));
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    // The test vector printed in the docs (computed independently with `printf ... | sha256sum`).
    expect(dataHash).toBe('9edacef336a62c4dcf8318252e1ce93ac713957ac3689c6af312f7e1dd3949f0');
    expect(entryHashOf(GENESIS_HASH, header, dataHash)).toBe('c24864e7a8586f7156f5088d698f0ed96bcc2f4979187b8602b58b5a1792d4ac');
  });

  it('changes the hash when any header field, the previous hash or the data changes', () => {
    const dataHash = dataHashOf(salt, data);
    const base = entryHashOf(GENESIS_HASH, header, dataHash);
    expect(entryHashOf(GENESIS_HASH, { ...header, type: 'kyc.verification.declined' }, dataHash)).not.toBe(base);
    expect(entryHashOf(GENESIS_HASH, { ...header, sessionId: 's' }, dataHash)).not.toBe(base);
    expect(entryHashOf('1'.repeat(64), header, dataHash)).not.toBe(base);
    expect(entryHashOf(GENESIS_HASH, header, dataHashOf(salt, '{"status":"declined"}'))).not.toBe(base);
  });

  it('normalises timestamps to UTC milliseconds and refuses a non-timestamp', () => {
    expect(isoMillis('2026-01-01T01:00:00.123456+01:00')).toBe('2026-01-01T00:00:00.123Z');
    expect(() => isoMillis('yesterday')).toThrow(RangeError);
  });
});
