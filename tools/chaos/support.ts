import { DEFAULT_DATABASE_URL, ensureDatabase } from '../../libs/persistence/src/database';

/** A database of its own for a run, next to the default one. */
export async function testDatabaseUrlFor(name: string): Promise<string> {
  const url = new URL(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
  url.pathname = `/${name}`;
  await ensureDatabase(url.toString());
  return url.toString();
}
