/** People of the shipped (fictitious) sample watchlist, as an identity document would carry them. */
export const LISTED_PEOPLE = [
  { firstName: 'Viktor', lastName: 'Kovalenko-Drask', dateOfBirth: '1968-04-12', nationality: 'UKR', documentNumber: 'ZX4471902' },
  { firstName: 'Qiao', lastName: 'Lanfeng', dateOfBirth: '1971-09-03', nationality: 'CHN', documentNumber: 'E55120931' },
  { firstName: 'Boris', lastName: 'Yermolenkov', dateOfBirth: '1959-02-14', nationality: 'RUS', documentNumber: 'RU7781001' },
];
