/**
 * Every loaded entry in columns instead of one object per entry: at a million entries, objects
 * with arrays of strings cost several hundred bytes each and most of the build time in garbage
 * collection. Values that repeat (list, schema, datasets, country and birth-date cells) are
 * interned once; the rest is one string per entry. `entry(i)` rebuilds the original object when
 * a hit or a test needs it.
 */
import { normaliseCountry } from '../normalise/country';
import { parsePartialDate, type PartialDate } from '../normalise/partial-date';
import { Int32Buffer } from './int32-buffer';
import type { WatchlistEntry } from './watchlist-entry';
import { InternTable } from './intern-table';

/** Joins the values of one multi-valued field; no list writes this control character in a name. */
const SEPARATOR = '\u001f';

const join = (values: readonly string[]): string => values.join(SEPARATOR);
const split = (joined: string): string[] => (joined === '' ? [] : joined.split(SEPARATOR));

const parseDates = (joined: string): PartialDate[] =>
  split(joined).map(parsePartialDate).filter((date): date is PartialDate => date !== undefined);
const normaliseCountries = (joined: string): ReadonlySet<string> =>
  new Set(split(joined).map(normaliseCountry).filter((code): code is string => code !== undefined));

export class EntryStore {
  private readonly lists = new InternTable<string>((text) => text);
  private readonly schemas = new InternTable<string>((text) => text);
  private readonly datasets = new InternTable<readonly string[]>(split);
  private readonly birthDates = new InternTable<PartialDate[]>(parseDates);
  private readonly countries = new InternTable<ReadonlySet<string>>(normaliseCountries);
  private readonly entityIds: string[] = [];
  private readonly names: string[] = [];
  private readonly identifiers: string[] = [];
  private readonly listOf = new Int32Buffer();
  private readonly schemaOf = new Int32Buffer();
  private readonly datasetsOf = new Int32Buffer();
  private readonly birthDatesOf = new Int32Buffer();
  private readonly countriesOf = new Int32Buffer();

  get size(): number {
    return this.entityIds.length;
  }

  add(entry: WatchlistEntry): number {
    const index = this.entityIds.length;
    this.entityIds.push(entry.entityId);
    this.names.push(join(entry.names));
    this.identifiers.push(join(entry.identifiers));
    this.listOf.push(this.lists.id(entry.list));
    this.schemaOf.push(this.schemas.id(entry.schema));
    this.datasetsOf.push(this.datasets.id(join(entry.datasets)));
    this.birthDatesOf.push(this.birthDates.id(join(entry.birthDates)));
    this.countriesOf.push(this.countries.id(join(entry.countries)));
    return index;
  }

  list(index: number): string {
    return this.lists.texts[this.listOf.at(index)];
  }

  entityId(index: number): string {
    return this.entityIds[index];
  }

  /** The entry's `ordinal`-th name as the list wrote it. */
  name(index: number, ordinal: number): string {
    const joined = this.names[index];
    if (ordinal === 0) {
      const end = joined.indexOf(SEPARATOR);
      return end < 0 ? joined : joined.slice(0, end);
    }
    return split(joined)[ordinal] ?? '';
  }

  schema(index: number): string {
    return this.schemas.texts[this.schemaOf.at(index)];
  }

  /** Shared between entries: copy before changing. */
  datasetList(index: number): readonly string[] {
    return this.datasets.values[this.datasetsOf.at(index)];
  }

  /** Parsed once per distinct birth-date cell: most dates are shared by hundreds of entries. */
  parsedBirthDates(index: number): readonly PartialDate[] {
    return this.birthDates.values[this.birthDatesOf.at(index)];
  }

  normalisedCountries(index: number): ReadonlySet<string> {
    return this.countries.values[this.countriesOf.at(index)];
  }

  /**
   * The index of the entry `entityId` of `list`, or -1. A scan rather than a map: it serves a
   * reviewer opening an alert (a few milliseconds at a million entries), and a map of every id
   * would cost tens of megabytes that screening never uses.
   */
  indexOf(list: string, entityId: string): number {
    const listId = this.lists.texts.indexOf(list);
    if (listId < 0) return -1;
    for (let i = this.entityIds.indexOf(entityId); i >= 0; i = this.entityIds.indexOf(entityId, i + 1)) {
      if (this.listOf.at(i) === listId) return i;
    }
    return -1;
  }

  entry(index: number): WatchlistEntry {
    return {
      list: this.list(index),
      entityId: this.entityIds[index],
      names: split(this.names[index]),
      schema: this.schemas.texts[this.schemaOf.at(index)],
      birthDates: split(this.birthDates.texts[this.birthDatesOf.at(index)]),
      countries: split(this.countries.texts[this.countriesOf.at(index)]),
      identifiers: split(this.identifiers[index]),
      datasets: split(this.datasets.texts[this.datasetsOf.at(index)]),
    };
  }
}
