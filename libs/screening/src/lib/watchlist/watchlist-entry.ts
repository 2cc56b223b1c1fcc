/**
 * What the screener knows about one listed person, organisation or vessel, whichever file format
 * it came from.
 */
export interface WatchlistEntry {
  /** `opensanctions`, `ofac-sdn`, or the file name for other OpenSanctions-format files. */
  list: string;
  /** Stable id within the list (OpenSanctions id, OFAC ent_num): a hit is list + entityId. */
  entityId: string;
  /** Primary name first, then aliases. */
  names: string[];
  /** OpenSanctions schema (Person, Organization...) or OFAC SDN_Type (individual, vessel...). */
  schema: string;
  /** ISO dates, possibly partial: `1968-04-12`, `1968-04`, `1968`. */
  birthDates: string[];
  /** Country codes or names as the list gives them (nationality, citizenship, addresses). */
  countries: string[];
  /** Passport and national id numbers as written on the list. */
  identifiers: string[];
  /** OpenSanctions datasets or OFAC sanctions programs. */
  datasets: string[];
}

/** The exact bytes a list was built from, for the audit record of every screening. */
export interface ListVersion {
  list: string;
  /** SHA-256 (hex) of the file bytes; for OFAC, of sdn.csv then alt.csv (then add.csv) in order. */
  contentHash: string;
  /** ISO timestamp. */
  loadedAt: string;
  entryCount: number;
  files: string[];
}

/** A row or file the loader could not use; the rest of the list still loads. */
export interface LoadProblem {
  file: string;
  /** 1-based physical line where the bad record starts; absent for whole-file problems. */
  line?: number;
  reason: string;
}
