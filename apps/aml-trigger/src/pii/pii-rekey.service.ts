import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { PiiCipher, type SealedTable } from '@compliance/persistence';
import { PiiRekeyOnStart } from '@compliance/platform';
import { subjectSealContext } from '../monitoring/monitored-subject.repository';
import { sealContext } from '../screenings/screenings.service';

/** The sealed identities aml-trigger keeps: monitored subjects, and screenings not yet performed. */
export const AML_SEALED_TABLES: SealedTable[] = [
  { table: 'monitored_subjects', key: 'subject_ref', columns: ['identity_sealed'], context: (row) => subjectSealContext(row.subject_ref as string) },
  { table: 'screenings', key: 'id', columns: ['input_sealed'], context: (row) => sealContext(row.id as string) },
];

/** After a PII key rotation, moves sealed identities to the current key (see docs/aml-trigger.md). */
@Injectable()
export class PiiRekeyService extends PiiRekeyOnStart {
  constructor(dataSource: DataSource, cipher: PiiCipher, logger: PinoLogger) {
    super(dataSource, cipher, logger);
  }

  protected tables(): SealedTable[] {
    return AML_SEALED_TABLES;
  }
}
