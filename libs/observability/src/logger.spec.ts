import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { pinoHttp, type Options } from 'pino-http';
import { httpLoggerParams } from './logger';
import { CENSOR, REDACTED_PATHS, redactUrl } from './redaction';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('log redaction', () => {
  it('censors credentials, signatures and personal data wherever they appear in a log line', () => {
    const { lines, stream } = capture();
    const log = pino({ redact: { paths: REDACTED_PATHS, censor: CENSOR } }, stream);
    log.info(
      {
        req: { headers: { authorization: 'Bearer top-secret', 'x-signature': 'abc123', 'webhook-signature': 'v1,xyz' } },
        event: { payload: { first_name: 'José' }, identity: { fullName: 'José Núñez' } },
        subject: { fullName: 'José Núñez', dateOfBirth: '1990-04-02', documentNumber: 'X1234567' },
      },
      'processing',
    );
    const line = lines.join('');
    for (const secret of ['top-secret', 'abc123', 'v1,xyz', 'José', 'Núñez', '1990-04-02', 'X1234567']) expect(line).not.toContain(secret);
    expect(line).toContain(CENSOR);
  });
});

describe('request logging', () => {
  const SUBJECT = 'jose.nunez+kyc@example.com';
  let server: Server;
  let url: string;
  let lines: string[];

  beforeAll(async () => {
    const captured = capture();
    lines = captured.lines;
    // The service's own settings (httpLoggerParams), on a plain HTTP server.
    const logRequest = pinoHttp(httpLoggerParams('svc').pinoHttp as Options, captured.stream);
    server = createServer((req, res) => {
      logRequest(req, res);
      req.log.info('handling');
      res.statusCode = req.url?.includes('missing') ? 404 : 200;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it.each([
    [`/subjects/${encodeURIComponent(SUBJECT)}/verifications?limit=5&cursor=abc`, '/subjects/[redacted]/verifications?limit=[redacted]&cursor=[redacted]'],
    [`/subjects/${encodeURIComponent(SUBJECT)}/screenings`, '/subjects/[redacted]/screenings'],
    [`/subjects/${encodeURIComponent(SUBJECT)}/retention`, '/subjects/[redacted]/retention'],
    [`/subjects/${encodeURIComponent(SUBJECT)}/missing`, '/subjects/[redacted]/missing'],
    [`/alerts?subjectRef=${encodeURIComponent(SUBJECT)}&status=open`, '/alerts?subjectRef=[redacted]&status=[redacted]'],
  ])('GET %s is logged as %s, without the subject reference', async (path, logged) => {
    lines.length = 0;
    await fetch(`${url}${path}`);
    await new Promise((resolve) => setImmediate(resolve));
    const entries = lines.map((line) => JSON.parse(line));
    expect(entries.map((e) => e.msg)).toEqual(['handling', 'request completed']);
    for (const entry of entries) expect(entry.req.url).toBe(logged);
    const all = lines.join('');
    for (const leak of [SUBJECT, encodeURIComponent(SUBJECT), 'jose.nunez', 'abc']) expect(all).not.toContain(leak);
  });

  it('leaves other paths as they are and drops empty queries', () => {
    expect(redactUrl('/verifications/3f1c2d9e-0000-4000-8000-000000000001')).toBe('/verifications/3f1c2d9e-0000-4000-8000-000000000001');
    expect(redactUrl('/subjects')).toBe('/subjects');
    expect(redactUrl('/api/SUBJECTS/someone?')).toBe(`/api/SUBJECTS/${CENSOR}`);
    expect(redactUrl('/subjects/someone/verifications?flag')).toBe(`/subjects/${CENSOR}/verifications?flag=${CENSOR}`);
  });
});
