/** Didit standalone AML API (`POST /v3/aml/`): the fields we send and read. */
export interface DiditAmlRequest {
  full_name: string;
  date_of_birth?: string;
  nationality?: string;
  document_number?: string;
  entity_type: 'person';
}

export interface DiditAmlHit {
  id?: string;
  caption?: string;
  /** 0-100: is this the same person? */
  match_score?: number;
  /** 0-100: how risky the listed entity is. */
  risk_score?: number;
  /** `Unreviewed`, `False Positive`, `Confirmed Match`... */
  review_status?: string;
  datasets?: string[];
  first_seen?: string;
  last_seen?: string;
}

export interface DiditAmlResponse {
  request_id?: string;
  aml?: {
    /** `Approved`, `In Review`, `Declined` (older docs: `Rejected`), `Not Started`. */
    status?: string;
    total_hits?: number;
    score?: number;
    hits?: DiditAmlHit[];
    warnings?: unknown[];
  };
}
