import { Client } from 'pg';

/** Drops a benchmark's scratch database (its connections included). */
export async function dropDatabase(url: string | URL): Promise<void> {
  const admin = new URL(url.toString());
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
