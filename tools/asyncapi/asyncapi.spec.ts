import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CATALOGUE_TOPICS, EventTypes, KYC_STATUSES, kycEventType, WebhookReceivedData } from '@compliance/contracts';
import { asyncApiDocument, dataSchema } from './asyncapi';

const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'asyncapi.yaml'), 'utf8');

describe('the AsyncAPI document of the downstream topics', () => {
  it('is the one generated from libs/contracts (run npm run asyncapi after changing a contract)', () => {
    expect(committed).toBe(asyncApiDocument());
  });

  it('documents every topic of the catalogue and every event type', () => {
    const doc = parse(committed);
    expect(Object.keys(doc.channels).sort()).toEqual([...CATALOGUE_TOPICS].sort());
    const names = Object.values(doc.components.messages).map((m) => (m as { name: string }).name);
    for (const type of [...Object.values(EventTypes), ...KYC_STATUSES.map(kycEventType)]) expect(names).toContain(type);
  });

  it('describes event data from the DTOs, required fields included', () => {
    const schema = dataSchema(WebhookReceivedData) as { required: string[]; properties: Record<string, { type?: string; oneOf?: unknown[] }> };
    expect(schema.required).toEqual(['deliveryId', 'payload', 'receivedAt', 'scheme', 'source']);
    expect(schema.properties.scheme.type).toBe('string');
    // The provider's payload: an object, or sealed under the person's data key.
    expect(schema.properties.payload.oneOf).toEqual([{ type: 'object' }, { $ref: '#/components/schemas/SealedValue' }]);
  });
});
