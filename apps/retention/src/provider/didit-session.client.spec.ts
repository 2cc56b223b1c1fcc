import { randomUUID } from 'node:crypto';
import { FakeDidit } from '../../test/fake-didit.server';
import { DiditSessionClient, ProviderCallAborted } from './didit-session.client';

describe('DiditSessionClient against a local fake Didit', () => {
  let didit: FakeDidit;
  let client: DiditSessionClient;

  beforeAll(async () => {
    didit = await FakeDidit.start(1000);
    client = new DiditSessionClient({ baseUrl: `${didit.url}/`, apiKey: 'didit-test-key', timeoutMs: 200, maxAttempts: 3, retryDelayMs: 10 });
  });

  afterAll(() => didit.close());

  it('deletes a session with DELETE /v3/session/{id}/delete/ and the x-api-key header', async () => {
    const id = randomUUID();
    expect(await client.deleteSession(id)).toEqual({ outcome: 'deleted', httpStatus: 204, attempts: 1 });
    expect(didit.callsFor(id)).toEqual([{ method: 'DELETE', path: `/v3/session/${id}/delete/`, apiKey: 'didit-test-key' }]);
  });

  it('treats 404 as nothing left at the provider (Didit answers 404 to a repeat)', async () => {
    const id = randomUUID();
    didit.on(id, 'gone');
    expect(await client.deleteSession(id)).toEqual({ outcome: 'not_found', httpStatus: 404, attempts: 1 });
  });

  it('retries a 503 or a 429 and reports the attempts it took', async () => {
    const flaky = randomUUID();
    const throttled = randomUUID();
    didit.on(flaky, 'flaky').on(throttled, 'throttled');
    expect(await client.deleteSession(flaky)).toEqual({ outcome: 'deleted', httpStatus: 204, attempts: 2 });
    expect(await client.deleteSession(throttled)).toEqual({ outcome: 'deleted', httpStatus: 204, attempts: 2 });
  });

  it('fails after the last attempt on a persistent 500 or no answer in time', async () => {
    const failing = randomUUID();
    const slow = randomUUID();
    didit.on(failing, 'fail').on(slow, 'slow');
    expect(await client.deleteSession(failing)).toEqual({ outcome: 'failed', httpStatus: 500, error: 'provider answered HTTP 500', attempts: 3 });
    expect(await client.deleteSession(slow)).toEqual({ outcome: 'failed', httpStatus: undefined, error: 'no answer within 200 ms', attempts: 3 });
    expect(didit.callsFor(failing)).toHaveLength(3);
  });

  it('does not retry a refusal such as 401', async () => {
    const id = randomUUID();
    didit.on(id, 'unauthorized');
    expect(await client.deleteSession(id)).toMatchObject({ outcome: 'failed', httpStatus: 401, attempts: 1 });
  });

  it('reports a network error when nothing listens, and stops at once when the service is stopping', async () => {
    const nowhere = new DiditSessionClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', timeoutMs: 200, maxAttempts: 2, retryDelayMs: 10 });
    expect(await nowhere.deleteSession('s-1')).toMatchObject({ outcome: 'failed', attempts: 2, error: expect.stringContaining('network error') });
    const stopping = new AbortController();
    const slow = randomUUID();
    didit.on(slow, 'slow');
    const call = client.deleteSession(slow, stopping.signal);
    stopping.abort();
    await expect(call).rejects.toBeInstanceOf(ProviderCallAborted);
  });
});
