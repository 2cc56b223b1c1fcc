/** Runs a slow migration set under the advisory lock; two of these start at once in the race test. */
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createServiceDataSource } from '../data-source';
import { runMigrationsLocked } from '../migrations';

class CreateAccounts1764100000000 implements MigrationInterface {
  name = 'CreateAccounts1764100000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE accounts (id serial PRIMARY KEY)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE accounts');
  }
}

class SlowCreateLedger1764100000009 implements MigrationInterface {
  name = 'SlowCreateLedger1764100000009';
  async up(q: QueryRunner): Promise<void> {
    await q.query('SELECT pg_sleep(0.5)');
    await q.query('CREATE TABLE ledger (id serial PRIMARY KEY)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE ledger');
  }
}

async function main(): Promise<void> {
  const ds = createServiceDataSource({ url: process.argv[2], schema: 'race', migrations: [CreateAccounts1764100000000, SlowCreateLedger1764100000009] });
  await ds.initialize();
  const applied = await runMigrationsLocked(ds, 'race');
  process.stdout.write(JSON.stringify(applied));
  await ds.destroy();
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err));
  process.exit(1);
});
