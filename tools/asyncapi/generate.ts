/** `npm run asyncapi`: writes docs/asyncapi.yaml from libs/contracts. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import 'reflect-metadata';
import { asyncApiDocument } from './asyncapi';

writeFileSync(join(__dirname, '..', '..', 'docs', 'asyncapi.yaml'), asyncApiDocument());
process.stdout.write('docs/asyncapi.yaml written\n');
