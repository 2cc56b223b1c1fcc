import { CircuitBreaker } from '../circuit-breaker';
import { ProviderFailure } from '../screening-provider';
import { cleanResult, FakeDiditServer, hitResult } from '../../../test/fake-didit.server';
import { DiditAmlClient } from './didit-aml.client';
import { verdictFromDidit } from './didit-verdict';

describe('DiditAmlClient against a local fake Didit (real HTTP)', () => {
  const fake = new FakeDiditServer();
  const client = (overrides: { breaker?: CircuitBreaker; maxAttempts?: number } = {}) =>
    new DiditAmlClient({
      baseUrl: fake.url + '/',
      apiKey: 'test-didit-key',
      timeoutMs: 1000,
      maxAttempts: overrides.maxAttempts ?? 3,
      retryBaseMs: 20,
      breaker: overrides.breaker ?? new CircuitBreaker({ failureThreshold: 50, openMs: 60_000 }),
    });
  const person = (full_name: string) => ({ full_name, date_of_birth: '1970-01-01', nationality: 'ES', document_number: 'X1', entity_type: 'person' as const });

  beforeAll(() => fake.start());
  afterAll(() => fake.stop());

  it('posts the person to /v3/aml/ with the API key and an Idempotency-Key, and reads the hits', async () => {
    fake.script('Ana Hit', [{ body: hitResult('req-1', { id: 'ent-9', caption: 'Ana Hitt', matchScore: 96, riskScore: 88 }) }]);
    const { response, attempts } = await client().screen(person('Ana Hit'), 'screening-1');
    expect(attempts).toBe(1);
    const [call] = fake.callsFor('Ana Hit');
    expect(call.path).toBe('/v3/aml/');
    expect(call.headers['x-api-key']).toBe('test-didit-key');
    expect(call.headers['idempotency-key']).toBe('screening-1');
    expect(call.body).toEqual(person('Ana Hit'));
    const verdict = verdictFromDidit(response, new Set());
    expect(verdict).toMatchObject({ outcome: 'review', score: 0.96, providerReference: 'req-1' });
    expect(verdict.hits).toEqual([expect.objectContaining({ list: 'didit', entityId: 'ent-9', matchedName: 'Ana Hitt', riskScore: 88, reviewStatus: 'Unreviewed' })]);
    expect(verdictFromDidit(response, new Set(['didit/ent-9']))).toMatchObject({ outcome: 'clear', hits: [] });
  });

  it('retries a 5xx with the same Idempotency-Key and succeeds', async () => {
    fake.script('Five Hundred', [{ status: 503 }, { status: 502 }, { body: cleanResult('x') }]);
    const { attempts } = await client().screen(person('Five Hundred'), 'screening-2');
    expect(attempts).toBe(3);
    expect(fake.callsFor('Five Hundred').map((c) => c.headers['idempotency-key'])).toEqual(['screening-2', 'screening-2', 'screening-2']);
  });

  it('abandons an attempt that exceeds the timeout and retries', async () => {
    fake.script('Slow Answer', [{ delayMs: 3000, body: cleanResult('x') }, { body: cleanResult('x') }]);
    const started = Date.now();
    const { attempts } = await client().screen(person('Slow Answer'), 'screening-3');
    expect(attempts).toBe(2);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('gives up after the last attempt with the reason, and does not retry our own bad request', async () => {
    fake.script('Always Down', [{ status: 500 }]);
    await expect(client().screen(person('Always Down'), 's-4')).rejects.toEqual(expect.objectContaining({ attempts: 3, message: expect.stringMatching(/gave up after 3 attempts: HTTP 500/) }));
    fake.script('Bad Request', [{ status: 400, body: { detail: 'invalid nationality' } }]);
    const failure = await client().screen(person('Bad Request'), 's-5').catch((e) => e);
    expect(failure).toBeInstanceOf(ProviderFailure);
    expect(failure.attempts).toBe(1);
    expect(fake.callsFor('Bad Request')).toHaveLength(1);
  });

  it('opens the circuit after repeated failures and then fails fast without calling Didit', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 60_000 });
    fake.script('Breaker Trip', [{ status: 500 }]);
    await expect(client({ breaker, maxAttempts: 2 }).screen(person('Breaker Trip'), 's-6')).rejects.toBeInstanceOf(ProviderFailure);
    expect(breaker.state).toBe('open');
    const calls = fake.calls.length;
    await expect(client({ breaker }).screen(person('Breaker Trip'), 's-7')).rejects.toThrow(/circuit open/);
    expect(fake.calls.length).toBe(calls);
  });
});
