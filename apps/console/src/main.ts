import './tracing';
import { loadConfigOrExit } from '@compliance/platform';
import { SERVICE_NAME } from './app.module';
import { ConsoleConfig } from './console.config';
import { startConsole } from './console-app';

const config = loadConfigOrExit(ConsoleConfig, SERVICE_NAME);
startConsole(config).catch((err: Error) => {
  process.stderr.write(`${SERVICE_NAME} failed to start: ${err.message}\n`);
  process.exit(1);
});
