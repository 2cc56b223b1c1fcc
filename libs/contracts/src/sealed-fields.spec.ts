import { randomBytes } from 'node:crypto';
import { decodeEvent, encodeEvent, newEvent } from './envelope';
import { DataKeyDestroyedError, isSealed, keyIdsOf, openEvent, openValue, SealedValueError, sealValue, type DataKeySource } from './sealed-fields';

describe('sealed fields', () => {
  const key = randomBytes(32);
  const keys: DataKeySource = { dataKey: async (id) => (id === 'dk_1' ? key : Promise.reject(new DataKeyDestroyedError(id))) };
  const identity = { fullName: 'Ana María López', dateOfBirth: '1990-01-02', documentNumber: 'X1234567' };

  it('round-trips through a Kafka record: the value holds no personal data, the header names the key', async () => {
    const event = newEvent({ type: 'kyc.verification.approved', source: 'kyc-results', data: { sessionId: 's-1', identity: {} as unknown } });
    event.data.identity = sealValue(identity, key, 'dk_1', event.id, 'identity');
    event.datakeyid = 'dk_1';
    const record = encodeEvent(event, 's-1');
    expect(record.value).not.toMatch(/Ana|López|1990|X1234567/);
    expect(record.headers.ce_datakeyid).toBe('dk_1');
    const decoded = decodeEvent({ value: Buffer.from(record.value), headers: record.headers });
    expect(keyIdsOf(decoded)).toEqual(['dk_1']);
    expect((await openEvent(decoded, keys)).data).toEqual({ sessionId: 's-1', identity });
  });

  it('binds a sealed value to its event and field: moved elsewhere, or altered, it does not open', () => {
    const sealed = sealValue(identity, key, 'dk_1', 'event-a', 'identity');
    expect(isSealed(sealed)).toBe(true);
    expect(openValue(sealed, key, 'event-a', 'identity')).toEqual(identity);
    expect(() => openValue(sealed, key, 'event-b', 'identity')).toThrow(SealedValueError);
    expect(() => openValue(sealed, key, 'event-a', 'payload')).toThrow(SealedValueError);
    expect(() => openValue(sealed, randomBytes(32), 'event-a', 'identity')).toThrow(SealedValueError);
    const parts = sealed.split('.');
    parts[5] = Buffer.from('{"fullName":"Eve"}').toString('base64url');
    expect(() => openValue(parts.join('.'), key, 'event-a', 'identity')).toThrow(SealedValueError);
  });

  it('opens nested and listed fields; an event without sealed fields comes back as it is; a destroyed key says so', async () => {
    const event = newEvent({ type: 't', source: 's', data: { hits: [{ name: 'x' }, { name: 'y' }] as unknown[] } });
    event.data.hits[1] = { name: sealValue('Ana', key, 'dk_1', event.id, 'hits.1.name') };
    expect((await openEvent(event, keys)).data).toEqual({ hits: [{ name: 'x' }, { name: 'Ana' }] });
    const plain = newEvent({ type: 't', source: 's', data: { a: 1 } });
    expect(await openEvent(plain, keys)).toBe(plain);
    const gone = newEvent({ type: 't', source: 's', data: { p: sealValue(1, key, 'dk_erased', 'x', 'p') } });
    await expect(openEvent(gone, keys)).rejects.toBeInstanceOf(DataKeyDestroyedError);
  });
});
