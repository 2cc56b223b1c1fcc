import 'reflect-metadata';
import { Controller, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { register } from 'prom-client';
import { Writable } from 'node:stream';
import type { EntityManager } from 'typeorm';
import { EventTypes, kycEventType, type DomainEvent } from '@compliance/contracts';
import { PermanentEventError, type ConsumerOptions, type ConsumedRecord, type EventBatchItem } from '@compliance/messaging';
import { connectEventTransport } from '../bootstrap';
import { EventContext } from './event-context';
import { ANY_EVENT, EventConsumer } from './event-consumer.decorator';
import type { ConsumerHost } from './event-transport';

type Options = Omit<ConsumerOptions, 'dataSource'>;

const calls: Array<{ handler: string; payload: unknown; ctx: EventContext }> = [];
const logLines: Array<Record<string, unknown>> = [];
const logSink = new Writable({
  write(chunk: Buffer, _enc, done) {
    logLines.push(JSON.parse(chunk.toString()));
    done();
  },
});

@Controller()
@EventConsumer({ group: 'group-a', topics: ['topic.a'], chunkSize: 7 })
class GroupAController {
  @EventPattern([EventTypes.WebhookReceived, kycEventType('approved')], { batch: true })
  many(@Payload() items: EventBatchItem[], @Ctx() ctx: EventContext): void {
    calls.push({ handler: 'many', payload: items, ctx });
  }

  @EventPattern(EventTypes.RetentionPurgeDue)
  async one(@Payload() event: DomainEvent, @Ctx() ctx: EventContext): Promise<void> {
    calls.push({ handler: 'one', payload: event, ctx });
    if ((event.data as { fail?: string }).fail === 'permanent') throw new PermanentEventError('bad command');
    if ((event.data as { fail?: string }).fail === 'transient') throw new Error('database went away');
  }
}

@Controller()
@EventConsumer({ group: 'group-b', topics: ['topic.b'] })
class GroupBController {
  constructor(private readonly logger: PinoLogger) {}

  @EventPattern(ANY_EVENT)
  any(@Payload() event: DomainEvent, @Ctx() ctx: EventContext): void {
    calls.push({ handler: 'any', payload: event, ctx });
    this.logger.info('recorded');
  }
}

@Module({ imports: [LoggerModule.forRoot({ pinoHttp: [{ level: 'info' }, logSink] })], controllers: [GroupAController, GroupBController] })
class TestModule {}

class RecordingHost implements ConsumerHost {
  started: Options[] = [];
  stopped = 0;
  async startConsumers(consumers: Options[]): Promise<void> {
    this.started.push(...consumers);
  }
  async stopConsumers(): Promise<void> {
    this.stopped++;
  }
}

const manager = { tag: 'the transaction' } as unknown as EntityManager;
const record = (offset: string): ConsumedRecord => ({ topic: 'topic.a', partition: 2, offset, headers: {}, value: null, attempt: 0 });
const event = (type: string, data: unknown = {}): DomainEvent => ({
  id: `id-${type}-${Math.random()}`,
  type,
  source: 'test',
  time: new Date().toISOString(),
  data,
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
});

describe('EventTransport: @EventPattern handlers as the messaging runtime consumers', () => {
  let app: INestApplication;
  let host: RecordingHost;
  let a: Options;
  let b: Options;

  beforeAll(async () => {
    app = await NestFactory.create(TestModule, { logger: false });
    host = new RecordingHost();
    connectEventTransport(app, host);
    await app.init();
    await app.startAllMicroservices();
    a = host.started.find((c) => c.group === 'group-a')!;
    b = host.started.find((c) => c.group === 'group-b')!;
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    calls.length = 0;
  });

  it('starts one consumer per @EventConsumer group, with its topics and options', () => {
    expect(host.started.map((c) => c.group).sort()).toEqual(['group-a', 'group-b']);
    expect(a.topics).toEqual(['topic.a']);
    expect(a.chunkSize).toBe(7);
    expect(b.topics).toEqual(['topic.b']);
  });

  it('gives a batch handler every event of its types in one call, with the transaction in the context', async () => {
    const items = [
      { event: event(EventTypes.WebhookReceived), record: record('1') },
      { event: event(kycEventType('approved')), record: record('2') },
    ];
    // Both types map to one function, so the runtime forms one run of them.
    expect(a.batchHandlers![EventTypes.WebhookReceived]).toBe(a.batchHandlers![kycEventType('approved')]);
    await a.batchHandlers![EventTypes.WebhookReceived]!(items, { manager });
    expect(calls).toHaveLength(1);
    expect(calls[0].handler).toBe('many');
    expect(calls[0].payload).toEqual(items);
    expect(calls[0].ctx.getManager()).toBe(manager);
    expect(calls[0].ctx.isBatch()).toBe(true);
    expect(calls[0].ctx.getRecords().map((r) => r.offset)).toEqual(['1', '2']);
  });

  it('routes a per-event handler by type and hands it the record and trace context', async () => {
    const e = event(EventTypes.RetentionPurgeDue);
    await a.handler!(e, { manager, record: record('9') });
    expect(calls.map((c) => c.handler)).toEqual(['one']);
    const ctx = calls[0].ctx;
    expect(calls[0].payload).toBe(e);
    expect([ctx.getTopic(), ctx.getPartition(), ctx.getOffset()]).toEqual(['topic.a', 2, '9']);
    expect(ctx.getTraceId()).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(ctx.logBindings()).toMatchObject({ group: 'group-a', eventId: e.id, eventType: EventTypes.RetentionPurgeDue });
  });

  it('skips known types no handler takes before batches form, and ignores unknown ones', async () => {
    expect(a.batchHandlers![EventTypes.RetentionErasureRequested]).toBeNull();
    expect(a.batchHandlers![kycEventType('declined')]).toBeNull();
    expect(a.batchHandlers![EventTypes.RetentionPurgeDue]).toBeUndefined();
    await a.handler!(event('something.new.v9'), { manager, record: record('3') });
    expect(calls).toHaveLength(0);
  });

  it('sends every type without its own handler to an ANY_EVENT handler', async () => {
    expect(b.batchHandlers).toEqual({});
    await b.handler!(event('something.new.v9'), { manager, record: record('4') });
    await b.handler!(event(EventTypes.RetentionErasureRequested), { manager, record: record('5') });
    expect(calls.map((c) => [c.handler, (c.payload as DomainEvent).type])).toEqual([
      ['any', 'something.new.v9'],
      ['any', EventTypes.RetentionErasureRequested],
    ]);
  });

  it("binds the event's ids, position and trace id to what a handler logs", async () => {
    const e = event('something.else.v1');
    await b.handler!(e, { manager, record: { ...record('11'), topic: 'topic.b' } });
    const line = logLines.find((l) => l.msg === 'recorded' && l.eventId === e.id);
    expect(line).toMatchObject({ group: 'group-b', eventType: 'something.else.v1', topic: 'topic.b', offset: '11', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(JSON.stringify(line)).not.toContain('"data"');
  });

  it('rethrows the handler error itself, so the runtime can tell permanent from transient', async () => {
    const permanent = a.handler!(event(EventTypes.RetentionPurgeDue, { fail: 'permanent' }), { manager, record: record('6') });
    await expect(permanent).rejects.toBeInstanceOf(PermanentEventError);
    await expect(permanent).rejects.toThrow('bad command');
    const transient = a.handler!(event(EventTypes.RetentionPurgeDue, { fail: 'transient' }), { manager, record: record('7') });
    await expect(transient).rejects.toThrow('database went away');
    await expect(transient).rejects.not.toBeInstanceOf(PermanentEventError);
  });

  it('times every handler call by outcome', async () => {
    await a.batchHandlers![EventTypes.WebhookReceived]!([{ event: event(EventTypes.WebhookReceived), record: record('20') }], { manager });
    await a.handler!(event(EventTypes.RetentionPurgeDue, { fail: 'permanent' }), { manager, record: record('21') }).catch(() => undefined);
    const text = await register.getSingleMetricAsString('event_handler_duration_seconds');
    expect(text).toMatch(/event_handler_duration_seconds_count\{group="group-a",handler="GroupAController.one",outcome="error"\} [1-9]/);
    expect(text).toMatch(/event_handler_duration_seconds_count\{group="group-a",handler="GroupAController.many",outcome="ok"\} [1-9]/);
  });

  it('stops the consumers when the app closes', async () => {
    const other = await NestFactory.create(TestModule, { logger: false });
    const h = new RecordingHost();
    connectEventTransport(other, h);
    await other.init();
    await other.startAllMicroservices();
    await other.close();
    expect(h.stopped).toBeGreaterThanOrEqual(1);
  });
});
