import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * The event handlers' exception filter: hands the original error back to the messaging runtime.
 * Nest's default filter would replace it with "Internal server error", and the runtime decides by
 * the error itself whether an event is retried (transient) or dead-lettered (permanent).
 */
@Catch()
export class RethrowRpcErrors implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
