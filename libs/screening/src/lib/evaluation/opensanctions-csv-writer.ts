/**
 * Writes entries as an OpenSanctions `targets.simple.csv`, the file the loader reads, so a
 * benchmark can measure the whole path from a file on disk (parsing included) at the size of
 * the real list. Streams: a million entries never need to be in memory at once.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { WatchlistEntry } from '../watchlist/watchlist-entry';

export const OPENSANCTIONS_COLUMNS = [
  'id', 'schema', 'name', 'aliases', 'birth_date', 'countries', 'addresses', 'identifiers', 'sanctions',
  'phones', 'emails', 'dataset', 'first_seen', 'last_seen', 'last_change',
] as const;

/** RFC 4180: quote a field holding a comma, quote or line break, doubling inner quotes. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Several values in one cell, as the export writes them. */
const multi = (values: readonly string[]): string => values.join(';');

export function openSanctionsRow(entry: WatchlistEntry): string {
  const [name = '', ...aliases] = entry.names;
  const cells: Record<(typeof OPENSANCTIONS_COLUMNS)[number], string> = {
    id: entry.entityId,
    schema: entry.schema,
    name,
    aliases: multi(aliases),
    birth_date: multi(entry.birthDates),
    countries: multi(entry.countries),
    addresses: '',
    identifiers: multi(entry.identifiers),
    sanctions: multi(entry.datasets.map((dataset) => `${dataset} listing`)),
    phones: '',
    emails: '',
    dataset: multi(entry.datasets),
    first_seen: '2023-01-10T00:00:00',
    last_seen: '2025-06-01T00:00:00',
    last_change: '2024-02-03T00:00:00',
  };
  return OPENSANCTIONS_COLUMNS.map((column) => csvField(cells[column])).join(',');
}

/** Writes header and rows to `file`; returns the number of entries written. */
export async function writeOpenSanctionsCsv(file: string, entries: Iterable<WatchlistEntry>): Promise<number> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  const closed = once(out, 'close');
  let count = 0;
  let batch = [OPENSANCTIONS_COLUMNS.join(',')];
  const flush = async (): Promise<void> => {
    const text = batch.join('\n') + '\n';
    batch = [];
    if (!out.write(text)) await once(out, 'drain');
  };
  for (const entry of entries) {
    batch.push(openSanctionsRow(entry));
    count += 1;
    if (batch.length >= 5_000) await flush();
  }
  await flush();
  out.end();
  await closed;
  return count;
}
