import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { Store, storage } from 'nestjs-pino/storage';
import { Histogram } from 'prom-client';
import { Observable, tap } from 'rxjs';
import { metricOnce } from '@compliance/observability';
import { EventContext } from './event-context';

const handlerSeconds = metricOnce(
  'event_handler_duration_seconds',
  () =>
    new Histogram({
      name: 'event_handler_duration_seconds',
      help: 'Time in an @EventPattern handler per call (a batch handler takes a fetch of events), by outcome',
      labelNames: ['group', 'handler', 'outcome'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
);

/**
 * Around every event handler: times it by outcome, and runs it with a logger bound to the event's
 * ids, position and trace id (what `PinoLogger` writes inside the handler carries them).
 */
@Injectable()
export class EventHandlingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx = context.getType() === 'rpc' ? context.switchToRpc().getContext() : undefined;
    if (!(ctx instanceof EventContext)) return next.handle();
    const end = handlerSeconds.startTimer({ group: ctx.getGroup(), handler: `${context.getClass().name}.${context.getHandler().name}` });
    const handled = next.handle().pipe(tap({ complete: () => end({ outcome: 'ok' }), error: () => end({ outcome: 'error' }) }));
    const root = PinoLogger.root;
    if (!root) return handled;
    return new Observable((subscriber) => storage.run(new Store(root.child(ctx.logBindings())), () => handled.subscribe(subscriber)));
  }
}
