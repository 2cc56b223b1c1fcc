import { randomBytes } from 'node:crypto';
import { DataKeyDestroyedError, DataKeyMissingError, isSealed, newEvent, openEvent } from '@compliance/contracts';
import type { DataKeyOwner, IssuedKey, Keyring } from '@compliance/persistence';
import { ERASED_VALUE, openRecords, sealByContract, sealEvents, sealRecords } from './sealing';

/** A keyring in memory: one key per owner (the real one is tested against Postgres in libs/persistence). */
function memoryKeyring(): Keyring & { calls: number } {
  const byOwner = new Map<string, IssuedKey>();
  const ring = {
    calls: 0,
    async keysFor(owners: DataKeyOwner[]) {
      ring.calls += 1;
      return owners.map((o) => {
        const name = o.subjectRef ? `s:${o.subjectRef}` : `x:${o.sessionId}`;
        if (!byOwner.has(name)) byOwner.set(name, { keyId: `dk_${byOwner.size}`, key: randomBytes(32) });
        return byOwner.get(name) as IssuedKey;
      });
    },
    async dataKey(id: string) {
      const found = [...byOwner.values()].find((k) => k.keyId === id);
      if (!found) throw new Error('no key');
      return found.key;
    },
    async dataKeys() {
      return new Map();
    },
    async destroy() {
      return 0;
    },
    forget: async () => undefined,
  };
  return ring;
}

describe('sealEvents', () => {
  it('seals the named fields (array items too) under each owner\'s key in one keyring call; the client opens them', async () => {
    const keyring = memoryKeyring();
    const a = newEvent({ type: 't', source: 's', data: { subjectRef: 'ann', identity: { fullName: 'Ann Lee' }, hits: [{ list: 'un', matchedName: 'ANN LEE' }, { list: 'eu' }] } });
    const b = newEvent({ type: 't', source: 's', data: { sessionId: 'x', identity: { fullName: 'Bo' } } });
    const c = newEvent({ type: 't', source: 's', data: { outcome: 'clear' } });
    await sealEvents(keyring, [
      { event: a, owner: { subjectRef: 'ann' }, paths: ['identity', 'hits.*.matchedName', 'hits.*.entityName'] },
      { event: b, owner: { sessionId: 'x' }, paths: ['identity'] },
      { event: c, owner: { subjectRef: 'cy' }, paths: ['identity'] },
    ]);
    expect(keyring.calls).toBe(1);
    expect(isSealed(a.data.identity)).toBe(true);
    expect(isSealed(a.data.hits[0].matchedName)).toBe(true);
    expect(a.data.hits[1]).toEqual({ list: 'eu' });
    expect(a.data.subjectRef).toBe('ann');
    expect(a.datakeyid).toBe('dk_0');
    expect(b.datakeyid).toBe('dk_1');
    expect(c.datakeyid).toBeUndefined();
    expect(c.data).toEqual({ outcome: 'clear' });
    expect((await openEvent(a, keyring)).data).toEqual({ subjectRef: 'ann', identity: { fullName: 'Ann Lee' }, hits: [{ list: 'un', matchedName: 'ANN LEE' }, { list: 'eu' }] });
  });

  it('leaves events as they are without a keyring', async () => {
    const e = newEvent({ type: 't', source: 's', data: { identity: { fullName: 'Ann' } } });
    await sealEvents(null, [{ event: e, owner: { subjectRef: 'ann' }, paths: ['identity'] }]);
    expect(e.data.identity).toEqual({ fullName: 'Ann' });
  });

  it('seals by the contract: a hit alert\'s summary and details, not an operational alert; a screening\'s hit names only', async () => {
    const keyring = memoryKeyring();
    const hit = newEvent({ type: 'compliance.alert.raised', source: 's', data: { kind: 'aml_match', subjectRef: 'ann', summary: 'Possible match: Ann Lee', details: { hits: [] } } });
    const overdue = newEvent({ type: 'compliance.alert.raised', source: 's', data: { kind: 'erasure_overdue', subjectRef: 'ann', summary: 'Erasure overdue', details: { waitingFor: ['x'] } } });
    const screening = newEvent({ type: 'aml.screening.completed', source: 's', data: { subjectRef: 'ann', outcome: 'match', hits: [{ list: 'un', entityId: 'e1', matchedName: 'ANN LEE', score: 0.97 }] } });
    const nameless = newEvent({ type: 'compliance.alert.raised', source: 's', data: { kind: 'aml_match', summary: 'no subject named' } });
    await sealByContract(keyring, [hit, overdue, screening, nameless]);
    expect(isSealed(hit.data.summary)).toBe(true);
    expect(isSealed(hit.data.details)).toBe(true);
    expect(overdue.data).toMatchObject({ summary: 'Erasure overdue', details: { waitingFor: ['x'] } });
    expect(screening.data.hits[0]).toMatchObject({ list: 'un', entityId: 'e1', score: 0.97 });
    expect(isSealed(screening.data.hits[0].matchedName)).toBe(true);
    expect(nameless.data.summary).toBe('no subject named');
  });
});

describe('sealByContract: a redacted webhook', () => {
  it('leaves an empty payload as it is and asks the keyring for no key (nothing of the person to seal)', async () => {
    const keyring = memoryKeyring();
    const redacted = newEvent({ type: 'webhook.received', source: 's', data: { sessionId: 'x', subjectRef: 'ann', status: 'Approved', payload: {}, redacted: true } });
    await sealByContract(keyring, [redacted]);
    expect(keyring.calls).toBe(0);
    expect(redacted.data.payload).toEqual({});
    expect(redacted.datakeyid).toBeUndefined();
    const whole = newEvent({ type: 'webhook.received', source: 's', data: { sessionId: 'x', subjectRef: 'ann', status: 'Approved', payload: { name: 'Ann' } } });
    await sealByContract(keyring, [whole]);
    expect(isSealed(whole.data.payload)).toBe(true);
  });
});

describe('sealRecords / openRecords (personal data at rest)', () => {
  it('seals named fields bound to the row, leaves values already sealed alone, and opens them; a destroyed key reads [erased], a missing one is the record\'s error', async () => {
    const keyring = memoryKeyring();
    const rows = [
      { data: { summary: 'Match: Ann Lee', hits: [{ entityId: 'e1', matchedName: 'ANN LEE' }] }, owner: { subjectRef: 'ann' }, context: 'alert:1', paths: ['summary', 'hits.*.matchedName'] },
      { data: { summary: 'Match: Bo', hits: [] }, owner: { subjectRef: 'bo' }, context: 'alert:2', paths: ['summary', 'hits.*.matchedName'] },
    ];
    const sealed = await sealRecords(keyring, rows);
    expect(rows[0].data.summary).toBe('Match: Ann Lee');
    expect(isSealed(sealed[0].summary) && isSealed(sealed[0].hits[0].matchedName)).toBe(true);
    expect(sealed[0].hits[0].entityId).toBe('e1');
    expect(keyring.calls).toBe(1);
    // Sealing again changes nothing and asks the keyring for nothing.
    expect(await sealRecords(keyring, [{ ...rows[0], data: sealed[0] }])).toEqual([sealed[0]]);
    expect(keyring.calls).toBe(1);

    const [annKey, boKey] = [sealed[0].summary, sealed[1].summary].map((v) => v.split('.')[2]);
    const keys = new Map<string, Buffer | Error>([[annKey, await keyring.dataKey(annKey)], [boKey, new DataKeyDestroyedError(boKey)]]);
    const reader = { ...keyring, dataKeys: async () => keys };
    const [ann, bo] = await openRecords(reader, [{ data: sealed[0], context: 'alert:1' }, { data: sealed[1], context: 'alert:2' }]);
    expect(ann).toEqual(rows[0].data);
    expect(bo).toEqual({ summary: ERASED_VALUE, hits: [] });
    keys.set(annKey, new DataKeyMissingError(annKey));
    expect((await openRecords(reader, [{ data: sealed[0], context: 'alert:1' }]))[0]).toBeInstanceOf(DataKeyMissingError);
    // Moved to another row, a value does not open.
    keys.set(annKey, await keyring.dataKey(annKey));
    await expect(openRecords(reader, [{ data: sealed[0], context: 'alert:9' }])).rejects.toThrow(/failed authentication/);
  });
});
