import { MAX_JSON_DEPTH, nestsDeeperThan, parseJsonObject } from './request-body';
import { WebhookRejection } from './webhook-rejection';

const deeper = (text: string, max: number) => nestsDeeperThan(Buffer.from(text, 'utf8'), max);

describe('the JSON nesting limit', () => {
  it('counts objects and arrays, level 1 being the top', () => {
    expect(deeper('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(deeper('{"a":[{"b":1}]}', 2)).toBe(true);
    expect(deeper('[1,[2],{"c":[3]}]', 3)).toBe(false);
    expect(deeper('{}{}{}', 1)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes and all', () => {
    expect(deeper('{"a":"[[[{{{"}', 1)).toBe(false);
    expect(deeper('{"a\\"[[[":"\\\\"}', 1)).toBe(false);
    expect(deeper('{"a\\\\":[[1]]}', 2)).toBe(true);
    expect(deeper('{"José [Núñez]":{}}', 2)).toBe(false);
  });

  it('walks 100,000 levels without recursion', () => {
    expect(deeper(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, MAX_JSON_DEPTH)).toBe(true);
    expect(deeper(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`, MAX_JSON_DEPTH)).toBe(true);
  });

  it('refuses a body past the limit as invalid JSON, saying why', () => {
    const body = (levels: number) => Buffer.from(`{"a":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`);
    expect(parseJsonObject(body(MAX_JSON_DEPTH))).toEqual({ a: expect.any(Array) });
    const refusal = (() => {
      try {
        parseJsonObject(body(MAX_JSON_DEPTH + 1));
      } catch (err) {
        return err as WebhookRejection;
      }
    })();
    expect(refusal?.reason).toBe('JSON_TOO_DEEP');
    expect(refusal?.body('r')).toMatchObject({ statusCode: 400, code: 'INVALID_JSON', message: `the body is not valid JSON: nested deeper than ${MAX_JSON_DEPTH} levels` });
  });
});
