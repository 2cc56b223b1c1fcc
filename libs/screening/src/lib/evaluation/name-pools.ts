/**
 * Invented name material for synthetic watchlists, grouped by naming tradition so generated lists
 * have the token statistics of real ones: common given names shared by thousands of entries and
 * long-tailed surnames. Surnames are built from syllables (onset + vowel + coda) and a typical
 * ending, which gives millions of possible surnames per tradition, so, as on real lists, two
 * unrelated people rarely share one by accident. All surnames are made up.
 */
export interface NameTradition {
  name: string;
  /** Relative share of entries from this tradition. */
  share: number;
  givenNames: readonly string[];
  onsets: readonly string[];
  vowels: readonly string[];
  codas: readonly string[];
  endings: readonly string[];
  /** Fixed family names (Chinese): used instead of syllable surnames when present. */
  familyNames?: readonly string[];
  /** Probability of a middle name (patronymic, father's name, second given name). */
  middleNameRate: number;
  countries: readonly string[];
}

export const NAME_TRADITIONS: readonly NameTradition[] = [
  {
    name: 'slavic',
    share: 0.25,
    givenNames: ['viktor', 'dmitri', 'aleksandr', 'sergei', 'oleg', 'yuri', 'igor', 'pavel', 'nikolai', 'andrei', 'mikhail', 'boris', 'vladimir', 'ivan', 'anatoly', 'gennady', 'yevgeny', 'konstantin', 'stanislav', 'vadim', 'olena', 'natalia', 'irina', 'svetlana', 'tatiana', 'yulia', 'oksana', 'ludmila', 'galina', 'marina', 'ekaterina', 'anastasia'],
    onsets: ['b', 'v', 'g', 'd', 'zh', 'z', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'kh', 'ch', 'sh', 'br', 'dr', 'gr', 'kr', 'pr', 'tr', 'vl', 'sv', 'st', 'sl', 'hr'],
    vowels: ['a', 'e', 'i', 'o', 'u', 'ya'],
    codas: ['', '', 'l', 'r', 'n', 's', 'v', 'sh', 'z'],
    endings: ['enko', 'ovich', 'ski', 'sky', 'ov', 'ova', 'in', 'ak', 'uk', 'chuk', 'yev', 'ets', 'ich', 'ovsky', 'ko', 'nikov'],
    middleNameRate: 0.4,
    countries: ['ua', 'ru', 'by', 'kz', 'rs', 'pl', 'bg'],
  },
  {
    name: 'arabic',
    share: 0.25,
    givenNames: ['mohammed', 'ahmed', 'ali', 'hassan', 'hussein', 'omar', 'khalid', 'tariq', 'youssef', 'ibrahim', 'abdullah', 'mustafa', 'karim', 'nasser', 'saleh', 'hamid', 'faisal', 'jamal', 'rashid', 'samir', 'fatima', 'aisha', 'mariam', 'layla', 'noor', 'huda', 'salma', 'zainab', 'amal', 'rania'],
    onsets: ['b', 't', 'th', 'j', 'h', 'kh', 'd', 'dh', 'r', 'z', 's', 'sh', 'q', 'k', 'l', 'm', 'n', 'f', 'gh', 'w', 'y'],
    vowels: ['a', 'i', 'u', 'aa', 'ou'],
    codas: ['', '', 'r', 'n', 'l', 'm', 'd', 'b', 'sh'],
    endings: ['i', 'awi', 'ani', 'ari', 'uri', 'imi', 'idi', 'ashi', 'ousi', 'abi', 'aki', 'a'],
    middleNameRate: 0.5,
    countries: ['ae', 'jo', 'iq', 'sa', 'eg', 'ly', 'sd', 'ye', 'lb'],
  },
  {
    name: 'chinese',
    share: 0.12,
    givenNames: ['wei', 'fang', 'ming', 'hua', 'jun', 'lan', 'feng', 'qiao', 'li', 'na', 'jie', 'tao', 'yan', 'hong', 'xiao', 'ping', 'yu', 'hui', 'qing', 'bo', 'chen', 'long', 'mei', 'xin', 'yi', 'zhi', 'hao', 'lei', 'jing', 'kai', 'rong', 'shan', 'guang', 'dong', 'xue', 'ling', 'peng', 'yong', 'jian', 'cheng', 'ying', 'zhen', 'hai', 'bin', 'qiang', 'wen', 'xia', 'lin', 'yun', 'kang', 'tian', 'ning', 'rui', 'zhuo', 'heng', 'sheng', 'yao', 'xuan', 'juan', 'lian'],
    onsets: [],
    vowels: [],
    codas: [],
    endings: [],
    familyNames: ['wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu', 'guo', 'he', 'lin', 'luo', 'gao', 'qiao', 'xie', 'tang', 'song', 'deng', 'feng', 'han', 'cao', 'peng', 'zeng', 'fu', 'shen', 'yao', 'lu', 'jiang', 'cai', 'dong', 'yuan', 'pan', 'du', 'ye', 'cheng', 'wei', 'su', 'lv', 'ding', 'ren', 'shi', 'tan', 'fan'],
    middleNameRate: 0,
    countries: ['cn', 'hk', 'tw', 'sg', 'mo'],
  },
  {
    name: 'hispanic',
    share: 0.19,
    givenNames: ['jose', 'juan', 'carlos', 'luis', 'miguel', 'jorge', 'alejandro', 'fernando', 'ricardo', 'eduardo', 'maria', 'ana', 'lucia', 'carmen', 'isabel', 'sofia', 'gabriela', 'ximena', 'paula', 'elena', 'diego', 'andres', 'rafael', 'valentina'],
    onsets: ['b', 'c', 'd', 'f', 'g', 'j', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'ch', 'll', 'br', 'cr', 'gr', 'pl', 'tr', 'qu'],
    vowels: ['a', 'e', 'i', 'o', 'u', 'ue', 'ia'],
    codas: ['', '', 'r', 'n', 'l', 's'],
    endings: ['ez', 'ero', 'ado', 'ares', 'eda', 'illo', 'ana', 'oza', 'uela', 'ega', 'ino', 'osa'],
    middleNameRate: 0.3,
    countries: ['co', 've', 'mx', 'ar', 'pe', 'ec', 'ni', 'cu'],
  },
  {
    name: 'western',
    share: 0.19,
    givenNames: ['john', 'michael', 'david', 'james', 'robert', 'william', 'thomas', 'peter', 'hans', 'klaus', 'stefan', 'markus', 'anna', 'sarah', 'emma', 'julia', 'laura', 'claire', 'helen', 'greta', 'pierre', 'jean', 'marco', 'luca'],
    onsets: ['b', 'bl', 'br', 'c', 'ch', 'cl', 'd', 'f', 'fr', 'g', 'gr', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 'sh', 'st', 't', 'th', 'w', 'wh'],
    vowels: ['a', 'e', 'i', 'o', 'u', 'ea', 'ee', 'oo'],
    codas: ['', 'n', 'r', 'l', 'ck', 'st', 'm', 'th'],
    endings: ['ford', 'wood', 'ley', 'ton', 'mann', 'berg', 'feld', 'hardt', 'worth', 'stone', 'bridge', 'hausen', 'by', 'well'],
    middleNameRate: 0.35,
    countries: ['gb', 'us', 'de', 'fr', 'it', 'ch', 'at', 'nl', 'cy'],
  },
];

export const ORGANISATION_WORDS = ['trading', 'holdings', 'shipping', 'logistics', 'petroleum', 'industrial', 'import', 'export', 'technology', 'mining', 'capital', 'investment', 'marine', 'construction', 'energy', 'aviation', 'machinery', 'metals', 'chemicals', 'finance'];
export const ORGANISATION_FORMS = ['llc', 'ltd', 'company', 'group', 'corporation', 'ooo', 'fze', 'sa', 'gmbh', 'jsc'];
