import { Writable } from 'node:stream';
import pino from 'pino';
import { CENSOR, REDACTED_PATHS } from './redaction';

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
