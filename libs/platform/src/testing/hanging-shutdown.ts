/** A process whose graceful shutdown never finishes (as Nest's close waiting on a gone cluster); for bootstrap.spec.ts. */
import { exitIfShutdownHangs } from '../bootstrap';

exitIfShutdownHangs('hanging-service');
// Stands in for Nest's shutdown hook: takes the signal and never completes.
process.on('SIGTERM', () => undefined);
setInterval(() => undefined, 1000);
process.stdout.write('ready\n');
