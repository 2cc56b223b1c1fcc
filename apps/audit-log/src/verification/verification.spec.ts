import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { ServiceApp } from '@compliance/platform';
import { AuditWorld, chainDirectly, getJson, newSigningKey } from '../../test/audit-harness';
import { dataHashOf, entryHashOf, isoMillis } from '../chain/chain-hash';
import { CheckpointSigner, TrustedKeys } from '../checkpoints/checkpoint-signer';
import { readPublishedCheckpoints } from './published-checkpoints';
import { TopicNamespace } from '@compliance/messaging';
import { testKafka } from '@compliance/messaging/testing';
import { waitFor } from '@compliance/testing';
import { verifyChain } from './chain-verifier';
import { CHECKPOINT_GRACE_MS, checkpointCoverage } from '../audit-log.config';
import { runVerifyCommand } from './verify.command';
import { TEST_API_KEYS } from '@compliance/platform/testing';

describe('chain verification (real Postgres)', () => {
  const world = new AuditWorld('auditverify');
  let app: ServiceApp;
  const entry = (i: number) => ({
    eventId: randomUUID(), type: 'kyc.verification.approved', source: 'urn:compliance:kyc-results',
    subjectRef: `customer-${i}`, sessionId: `session-${i}`, occurredAt: new Date(), data: { status: 'approved', n: i },
    // Odd entries carry a trace id, even ones none (as entries written before trace ids were kept).
    traceId: i % 2 ? randomBytes(16).toString('hex') : null,
  });

  const verify = async () => (await getJson(app, '/audit/verify')).body;
  async function command(env: Record<string, string> = {}) {
    const lines: string[] = [];
    const code = await runVerifyCommand(
      [],
      { DATABASE_URL: world.dbUrl, AUDIT_PUBLIC_KEY: world.key.publicPem, KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '', KAFKA_TOPIC_PREFIX: world.namespace, AUDIT_CHECKPOINT_EVERY: '10', ...env },
      (l) => lines.push(l),
    );
    return { code, output: lines.join('\n') };
  }
  /** Tampers, checks what verify says, and puts the original back. */
  async function whileTampered(tamper: string, restore: string, check: () => Promise<void>) {
    await world.tamper(tamper);
    try {
      await check();
    } finally {
      await world.tamper(restore);
    }
  }

  beforeAll(async () => {
    await world.setUp();
    app = await world.start({ AUDIT_CHECKPOINT_EVERY: '10' });
    // Three transactions of ten: the head crosses a multiple of AUDIT_CHECKPOINT_EVERY at the end of each.
    for (let i = 0; i < 30; i += 10) await chainDirectly(app, Array.from({ length: 10 }, (_, k) => entry(i + k + 1)));
    // The three checkpoints are published (through the outbox) before anything is tampered with.
    const ns = new TopicNamespace(world.namespace);
    await waitFor(async () => (await readPublishedCheckpoints(testKafka('verify-spec'), ns)).length === 3, { what: 'three published checkpoints' });
  });

  afterAll(() => world.tearDown());

  it('reports OK with counts for an intact chain, over HTTP and from the command', async () => {
    expect(await verify()).toMatchObject({ ok: true, entries: 30, redacted: 0, checkpoints: { total: 3, verified: 3, keys: 'configured' }, head: { sequence: 30 } });
    const { code, output } = await command();
    expect(code).toBe(0);
    expect(output).toMatch(/^OK: 30 entries \(0 redacted\), 3\/3 checkpoints verified \(keys: configured\), 3 published checkpoints checked/);
    expect(await verify()).toMatchObject({ anchors: { checked: true, total: 3 } });
  });

  it('exports everything an external party needs to recompute the chain with the documented formula', async () => {
    const res = await fetch(`${app.url}/audit/export?format=jsonl`, { headers: { authorization: `Bearer ${TEST_API_KEYS.auditor}` } });
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
    let prev = '0'.repeat(64);
    for (const e of lines) {
      // docs/audit-log.md, written out independently of the service's code.
      const header = JSON.stringify({ eventId: e.eventId, occurredAt: e.occurredAt, recordedAt: e.recordedAt, sequence: e.sequence, sessionId: e.sessionId, source: e.source, subjectRef: e.subjectRef, ...(e.traceId ? { traceId: e.traceId } : {}), type: e.type });
      expect(e.traceId).toEqual(e.sequence % 2 ? expect.stringMatching(/^[0-9a-f]{32}$/) : null);
      const sortedData = JSON.stringify(e.data, Object.keys(e.data).sort());
      expect(sha(e.salt + sortedData)).toBe(e.dataHash);
      expect(e.prevHash).toBe(prev);
      expect(sha(prev + header + e.dataHash)).toBe(e.hash);
      prev = e.hash;
    }
    expect(lines).toHaveLength(30);
  });

  it('refuses plain UPDATE and DELETE: the tables are append-only', async () => {
    await expect(world.query("UPDATE audit_log.audit_entry SET type = 'x' WHERE sequence = 1")).rejects.toThrow(/append-only/);
    await expect(world.query('DELETE FROM audit_log.audit_entry WHERE sequence = 1')).rejects.toThrow(/append-only/);
    await expect(world.query("UPDATE audit_log.audit_entry_data SET data = '{}' WHERE sequence = 1")).rejects.toThrow(/append-only/);
  });

  it('refuses the service’s own connections any change to the chain by grants, so triggers cannot be switched off', async () => {
    const runtime = app.app.get(DataSource);
    const [{ current_user }] = await runtime.query('SELECT current_user');
    expect(current_user).toBe('audit_log_runtime');
    const denied = expect.objectContaining({ code: '42501' });
    await expect(runtime.query("UPDATE audit_entry SET type = 'x' WHERE sequence = 1")).rejects.toEqual(denied);
    await expect(runtime.query('DELETE FROM audit_entry WHERE sequence = 1')).rejects.toEqual(denied);
    await expect(runtime.query('TRUNCATE audit_entry_data')).rejects.toEqual(denied);
    await expect(runtime.query("UPDATE audit_entry_data SET data = '{}' WHERE sequence = 1")).rejects.toEqual(denied);
    await expect(runtime.query('DELETE FROM audit_checkpoint')).rejects.toEqual(denied);
    await expect(runtime.query('SET session_replication_role = replica')).rejects.toEqual(denied);
    await expect(runtime.query('CREATE TABLE audit_entry_copy (x int)')).rejects.toEqual(denied);
    expect((await verify()).ok).toBe(true);
  });

  it('names the first broken sequence after one row’s data is changed', async () => {
    const [{ data }] = await world.query('SELECT data FROM audit_log.audit_entry_data WHERE sequence = 12');
    await whileTampered(
      `UPDATE audit_log.audit_entry_data SET data = replace(data, 'approved', 'declined') WHERE sequence = 12`,
      `UPDATE audit_log.audit_entry_data SET data = '${data}' WHERE sequence = 12`,
      async () => {
        expect((await verify()).broken).toEqual({ sequence: 12, reason: 'data does not match data_hash' });
        const { code, output } = await command();
        expect(code).toBe(1);
        expect(output).toMatch(/^BROKEN at sequence 12: data does not match data_hash \(11 entries intact/);
      },
    );
    expect((await verify()).ok).toBe(true);
  });

  it('names the first broken sequence after one row’s hash is changed', async () => {
    const [{ hash }] = await world.query('SELECT hash FROM audit_log.audit_entry WHERE sequence = 7');
    await whileTampered(
      `UPDATE audit_log.audit_entry SET hash = '${'ab'.repeat(32)}' WHERE sequence = 7`,
      `UPDATE audit_log.audit_entry SET hash = '${hash}' WHERE sequence = 7`,
      async () => expect((await verify()).broken).toEqual({ sequence: 7, reason: 'hash does not match the entry' }),
    );
  });

  it('names the entry whose trace id was changed: the chain commits to it', async () => {
    const [{ trace_id }] = await world.query('SELECT trace_id FROM audit_log.audit_entry WHERE sequence = 9');
    expect(trace_id).toMatch(/^[0-9a-f]{32}$/);
    await whileTampered(
      `UPDATE audit_log.audit_entry SET trace_id = '${'0'.repeat(31)}1' WHERE sequence = 9`,
      `UPDATE audit_log.audit_entry SET trace_id = '${trace_id}' WHERE sequence = 9`,
      async () => expect((await verify()).broken).toEqual({ sequence: 9, reason: 'hash does not match the entry' }),
    );
    await expect(world.query("UPDATE audit_log.audit_entry SET trace_id = NULL WHERE sequence = 9")).rejects.toThrow(/append-only/);
  });

  it('names the first broken sequence after a row is deleted, and after data vanishes without a redaction', async () => {
    await world.tamper('CREATE TABLE audit_log.saved AS SELECT * FROM audit_log.audit_entry WHERE sequence = 15');
    await whileTampered(
      'DELETE FROM audit_log.audit_entry WHERE sequence = 15',
      'INSERT INTO audit_log.audit_entry SELECT * FROM audit_log.saved',
      async () => expect((await verify()).broken).toEqual({ sequence: 15, reason: 'entry 15 is missing (the next entry is 16)' }),
    );
    await whileTampered(
      'CREATE TABLE audit_log.saved_data AS SELECT * FROM audit_log.audit_entry_data WHERE sequence = 20; DELETE FROM audit_log.audit_entry_data WHERE sequence = 20',
      'INSERT INTO audit_log.audit_entry_data SELECT * FROM audit_log.saved_data',
      async () => expect((await verify()).broken).toEqual({ sequence: 20, reason: 'data is missing but the entry is not marked redacted' }),
    );
    expect((await verify()).ok).toBe(true);
  });

  it('catches a consistent rewrite of the tail against the signed checkpoint', async () => {
    await world.tamper('CREATE TABLE audit_log.saved_tail AS SELECT * FROM audit_log.audit_entry WHERE sequence > 25');
    const rows = await world.query('SELECT e.*, d.salt, d.data FROM audit_log.audit_entry e JOIN audit_log.audit_entry_data d USING (sequence) WHERE sequence > 25 ORDER BY sequence');
    let prev = rows[0].prev_hash;
    const rewrite = rows.map((r) => {
      const dataHash = dataHashOf(r.salt, r.data);
      const header = { sequence: Number(r.sequence), eventId: r.event_id, type: 'kyc.verification.declined', source: r.source, subjectRef: r.subject_ref, sessionId: r.session_id, occurredAt: isoMillis(r.occurred_at), recordedAt: isoMillis(r.recorded_at), traceId: r.trace_id };
      prev = entryHashOf(prev, header, dataHash);
      return `UPDATE audit_log.audit_entry SET type = '${header.type}', prev_hash = (SELECT hash FROM audit_log.audit_entry WHERE sequence = ${header.sequence - 1}), hash = '${prev}' WHERE sequence = ${header.sequence};`;
    });
    await whileTampered(
      `${rewrite.join(' ')} UPDATE audit_log.audit_chain_head SET hash = '${prev}'`,
      'DELETE FROM audit_log.audit_entry WHERE sequence > 25; INSERT INTO audit_log.audit_entry SELECT * FROM audit_log.saved_tail; UPDATE audit_log.audit_chain_head SET hash = (SELECT hash FROM audit_log.audit_entry WHERE sequence = 30)',
      async () => expect((await verify()).broken).toEqual({ sequence: 30, reason: 'entry 30 differs from the signed checkpoint' }),
    );
    expect((await verify()).ok).toBe(true);
  });

  it('names the entry whose time was moved, also outside the years 1–9999', async () => {
    const [{ occurred }] = await world.query("SELECT occurred_at::text AS occurred FROM audit_log.audit_entry WHERE sequence = 3");
    for (const moved of ['2026-01-01 00:00:00.0005+00', '0001-06-01 00:00:00+00 BC', '12026-01-01 00:00:00+00', 'infinity']) {
      await whileTampered(
        `UPDATE audit_log.audit_entry SET occurred_at = '${moved}' WHERE sequence = 3`,
        `UPDATE audit_log.audit_entry SET occurred_at = '${occurred}' WHERE sequence = 3`,
        async () => expect((await verify()).broken).toEqual({ sequence: 3, reason: 'hash does not match the entry' }),
      );
    }
    expect((await verify()).ok).toBe(true);
  });

  it('gives the same answers when entries are missing at a page boundary or for a whole page', async () => {
    const ds = app.app.get(DataSource);
    const keys = TrustedKeys.fromPem(world.key.publicPem);
    // Pages of 5: [1,6) [6,11) [11,16) [16,21) …; small pages make every boundary case reachable with 30 entries.
    const broken = async () => (await verifyChain(ds, keys, { pageSize: 5 })).broken;
    expect((await verifyChain(ds, keys, { pageSize: 5 })).ok).toBe(true);
    expect((await verifyChain(ds, keys, { pageSize: 7 })).entries).toBe(30);
    await world.tamper('CREATE TABLE audit_log.saved_pages AS SELECT * FROM audit_log.audit_entry WHERE sequence >= 15');
    const restore = 'INSERT INTO audit_log.audit_entry SELECT * FROM audit_log.saved_pages s WHERE NOT EXISTS (SELECT 1 FROM audit_log.audit_entry e WHERE e.sequence = s.sequence)';
    await whileTampered('DELETE FROM audit_log.audit_entry WHERE sequence = 15', restore, async () =>
      expect(await broken()).toEqual({ sequence: 15, reason: 'entry 15 is missing (the next entry is 16)' }),
    );
    await whileTampered('DELETE FROM audit_log.audit_entry WHERE sequence BETWEEN 16 AND 22', restore, async () =>
      expect(await broken()).toEqual({ sequence: 16, reason: 'entry 16 is missing (the next entry is 23)' }),
    );
    await whileTampered('DELETE FROM audit_log.audit_entry WHERE sequence >= 29', restore, async () =>
      expect(await broken()).toEqual({ sequence: 29, reason: 'entry 29 is missing (the chain head is 30)' }),
    );
    // Re-inserted rows sit at the end of the heap: pages must still be walked in sequence order.
    expect(await verifyChain(ds, keys, { pageSize: 5 })).toMatchObject({ ok: true, entries: 30 });
  });

  it('rejects checkpoints signed by an untrusted key or with a forged signature', async () => {
    const ds = app.app.get(DataSource);
    const other = newSigningKey();
    const report = await verifyChain(ds, TrustedKeys.fromPem(other.publicPem));
    expect(report.ok).toBe(false);
    expect(report.broken?.sequence).toBe(10);
    expect(report.broken?.reason).toMatch(/signed by key [0-9a-f]{16}, which is not trusted/);
    const [{ signature }] = await world.query('SELECT signature FROM audit_log.audit_checkpoint WHERE sequence = 20');
    const forged = Buffer.from(signature, 'base64');
    forged[0] ^= 0xff;
    await whileTampered(
      `UPDATE audit_log.audit_checkpoint SET signature = '${forged.toString('base64')}' WHERE sequence = 20`,
      `UPDATE audit_log.audit_checkpoint SET signature = '${signature}' WHERE sequence = 20`,
      async () => expect((await verify()).broken).toEqual({ sequence: 20, reason: 'checkpoint 20 has an invalid signature' }),
    );
    expect((await command({ AUDIT_PUBLIC_KEY: other.publicPem })).code).toBe(1);
  });

  describe('an attacker with write access to the database (superuser, triggers bypassed)', () => {
    /** Saves the table's rows so the attack can be undone after the check. */
    async function whileAttacked(attack: string, check: () => Promise<void>) {
      await world.tamper('CREATE TABLE audit_log.attack_saved_entries AS SELECT * FROM audit_log.audit_entry; CREATE TABLE audit_log.attack_saved_data AS SELECT * FROM audit_log.audit_entry_data; CREATE TABLE audit_log.attack_saved_checkpoints AS SELECT * FROM audit_log.audit_checkpoint; CREATE TABLE audit_log.attack_saved_head AS SELECT * FROM audit_log.audit_chain_head');
      try {
        await world.tamper(attack);
        await check();
      } finally {
        await world.tamper(`DELETE FROM audit_log.audit_entry_data; DELETE FROM audit_log.audit_entry; DELETE FROM audit_log.audit_checkpoint; DELETE FROM audit_log.audit_chain_head;
          INSERT INTO audit_log.audit_entry SELECT * FROM audit_log.attack_saved_entries; INSERT INTO audit_log.audit_entry_data SELECT * FROM audit_log.attack_saved_data;
          INSERT INTO audit_log.audit_checkpoint SELECT * FROM audit_log.attack_saved_checkpoints; INSERT INTO audit_log.audit_chain_head SELECT * FROM audit_log.attack_saved_head;
          DROP TABLE audit_log.attack_saved_entries, audit_log.attack_saved_data, audit_log.attack_saved_checkpoints, audit_log.attack_saved_head`);
      }
      expect((await verify()).ok).toBe(true);
    }
    const brokenEverywhere = async (sequence: number, reason: RegExp) => {
      const report = await verify();
      expect(report.ok).toBe(false);
      expect(report.broken).toEqual({ sequence, reason: expect.stringMatching(reason) });
      const { code, output } = await command();
      expect(code).toBe(1);
      expect(output).toMatch(new RegExp(`BROKEN at sequence ${sequence}: `));
    };

    it('catches a chain truncated back to a checkpoint, with the later checkpoint rows deleted and the head reset', async () => {
      await whileAttacked(
        `DELETE FROM audit_log.audit_entry WHERE sequence > 10; DELETE FROM audit_log.audit_checkpoint WHERE sequence > 10;
         UPDATE audit_log.audit_chain_head SET sequence = 10, hash = (SELECT hash FROM audit_log.audit_entry WHERE sequence = 10)`,
        // The table alone is consistent; the published checkpoints 20 and 30 are not in it.
        () => brokenEverywhere(11, /checkpoint 20 published on audit.checkpoints.v1 is beyond the chain head 10: entries were removed/),
      );
    });

    it('catches every entry rewritten and the checkpoints re-signed, chained, with another key', async () => {
      const attacker = new CheckpointSigner(newSigningKey().privatePem);
      const rows = await world.query('SELECT e.*, d.salt, d.data FROM audit_log.audit_entry e JOIN audit_log.audit_entry_data d USING (sequence) ORDER BY sequence');
      let prev = '0'.repeat(64);
      let previous = { sequence: 0, hash: prev };
      const statements: string[] = [];
      for (const r of rows) {
        const header = { sequence: Number(r.sequence), eventId: r.event_id, type: 'kyc.verification.declined', source: r.source, subjectRef: r.subject_ref, sessionId: r.session_id, occurredAt: isoMillis(r.occurred_at), recordedAt: isoMillis(r.recorded_at), traceId: r.trace_id };
        const hash = entryHashOf(prev, header, dataHashOf(r.salt, r.data));
        statements.push(`UPDATE audit_log.audit_entry SET type = '${header.type}', prev_hash = '${prev}', hash = '${hash}' WHERE sequence = ${header.sequence};`);
        prev = hash;
        if (header.sequence % 10 === 0) {
          const cp = attacker.sign({ sequence: header.sequence, hash }, previous);
          statements.push(`INSERT INTO audit_log.audit_checkpoint (sequence, hash, signed_at, algorithm, key_id, signature, public_key, previous_sequence, previous_hash)
            VALUES (${cp.sequence}, '${cp.hash}', '${cp.signedAt}', 'Ed25519', '${cp.keyId}', '${cp.signature}', '${cp.publicKey}', ${cp.previousSequence}, '${cp.previousHash}');`);
          previous = { sequence: header.sequence, hash };
        }
      }
      await whileAttacked(
        `DELETE FROM audit_log.audit_checkpoint; ${statements.join(' ')} UPDATE audit_log.audit_chain_head SET hash = '${prev}'`,
        // The key stored beside the forged checkpoints is not trusted: only configured keys are.
        () => brokenEverywhere(10, /checkpoint 10 is signed by key [0-9a-f]{16}, which is not trusted/),
      );
    });

    it('catches checkpoint rows deleted: one from the middle, or all of them', async () => {
      await whileAttacked('DELETE FROM audit_log.audit_checkpoint WHERE sequence = 20', () =>
        brokenEverywhere(20, /checkpoint 20 (is missing \(checkpoint 30 was signed after it\)|published on audit.checkpoints.v1 is missing from the table)/),
      );
      await whileAttacked('DELETE FROM audit_log.audit_checkpoint', async () => {
        await brokenEverywhere(10, /checkpoint 10 published on audit.checkpoints.v1 is missing from the table/);
        // Without the topic (an offline copy) the table alone still says the head is not covered.
        const ds = app.app.get(DataSource);
        const offline = await verifyChain(ds, TrustedKeys.fromPem(world.key.publicPem), { coverage: { every: 10, maxUncoveredAgeMs: null } });
        expect(offline.broken).toEqual({ sequence: 11, reason: '30 entries after checkpoint 0 are not covered by a signed checkpoint (at most 10 may be)' });
      });
    });

    it('catches a head left uncovered longer than AUDIT_CHECKPOINT_INTERVAL_MS plus the grace past the last signed checkpoint', async () => {
      // Entries 21–30 are fewer than AUDIT_CHECKPOINT_EVERY, so only their age can give the missing checkpoint away
      // (the topic is not read here: an attacker who also kept the last checkpoint from being published).
      await whileAttacked('DELETE FROM audit_log.audit_checkpoint WHERE sequence = 30', async () => {
        const ds = app.app.get(DataSource);
        const keys = TrustedKeys.fromPem(world.key.publicPem);
        const coverage = checkpointCoverage({ AUDIT_CHECKPOINT_EVERY: 10, AUDIT_CHECKPOINT_INTERVAL_MS: 60_000 });
        const bound = 60_000 + CHECKPOINT_GRACE_MS;
        expect(coverage).toEqual({ every: 10, maxUncoveredAgeMs: bound });
        const [{ recorded_at }] = await world.query('SELECT recorded_at FROM audit_log.audit_entry WHERE sequence = 21');
        const at = (ms: number) => new Date(recorded_at.getTime() + ms);
        // Within the interval and the grace a checkpoint may still be on its way.
        expect(await verifyChain(ds, keys, { coverage, now: at(bound) })).toMatchObject({ ok: true, entries: 30 });
        const late = await verifyChain(ds, keys, { coverage, now: at(bound + 1_000) });
        expect(late).toMatchObject({ ok: false, broken: { sequence: 21, reason: 'entry 21 was chained 2 min ago and no signed checkpoint covers it yet' } });
        // An offline copy has no age limit: only the entry count bounds its head.
        expect(await verifyChain(ds, keys, { coverage: checkpointCoverage({ AUDIT_CHECKPOINT_EVERY: 10, AUDIT_CHECKPOINT_INTERVAL_MS: 60_000 }, true), now: at(86_400_000) })).toMatchObject({ ok: true });
      });
    });

    it('catches data deleted and stamped redacted without a retention command that ordered it', async () => {
      await whileAttacked('DELETE FROM audit_log.audit_entry_data WHERE sequence = 5; UPDATE audit_log.audit_entry SET redacted_at = now() WHERE sequence = 5', () =>
        brokenEverywhere(5, /entry 5 is redacted, but no chained retention command that reaches it ordered that/),
      );
      // Naming some other chained event as the order does not help.
      await whileAttacked(
        "DELETE FROM audit_log.audit_entry_data WHERE sequence = 6; UPDATE audit_log.audit_entry SET redacted_at = now(), redacted_by = (SELECT event_id FROM audit_log.audit_entry WHERE sequence = 30) WHERE sequence = 6",
        () => brokenEverywhere(6, /entry 6 is redacted, but no chained retention command/),
      );
    });

    it('trusts no key stored in the database: with none configured, nothing verifies', async () => {
      const report = await verifyChain(app.app.get(DataSource), new TrustedKeys());
      expect(report).toMatchObject({ ok: false, checkpoints: { keys: 'none' }, broken: { sequence: 0, reason: expect.stringMatching(/no trusted public key is configured/) } });
      expect((await command({ AUDIT_PUBLIC_KEY: '' })).code).toBe(1);
    });
  });
});
