/**
 * Name material for synthetic watchlists, grouped by naming tradition so generated lists have the
 * frequency structure of real ones: every pool is ranked, most common first, and drawn with a
 * Zipf–Mandelbrot law (RankedPool), so a few given names and surnames are carried by several
 * percent of a tradition and a long tail by almost nobody.
 *
 * Given names are real (a given name alone identifies no one). Surnames are invented from
 * per-tradition syllables (onset + vowel + coda, one to three of them) and a typical ending, except
 * Chinese family names, which are a small closed set in reality too. Each tradition's surname
 * lexicon is invented once from a fixed seed, so every generated list draws from the same
 * "population": the seed of a list picks people, not a new language.
 */
import type { ZipfShape } from './ranked-pool';

export interface SurnameModel {
  /** Distinct surnames in the ranked lexicon the common surnames come from. */
  lexiconSize: number;
  shape: ZipfShape;
  /** Share of people whose surname is a fresh invention outside the lexicon: the rarest tail. */
  rareShare: number;
}

export interface NameTradition {
  name: string;
  /** Relative share of entries from this tradition. */
  share: number;
  /** Most common first. */
  maleGivenNames: readonly string[];
  femaleGivenNames: readonly string[];
  givenNameShape: ZipfShape;
  onsets: readonly string[];
  vowels: readonly string[];
  codas: readonly string[];
  /** Surname endings, most common first. */
  endings: readonly string[];
  /** Fixed family names, most common first (Chinese): used instead of invented surnames. */
  familyNames?: readonly string[];
  surnames: SurnameModel;
  /** Probability of a middle name (patronymic, father's name, second given name). */
  middleNameRate: number;
  countries: readonly string[];
}

/** Sanctions and PEP lists name far more men than women. */
export const MALE_SHARE = 0.8;

export const NAME_TRADITIONS: readonly NameTradition[] = [
  {
    name: 'slavic',
    share: 0.25,
    maleGivenNames: ['aleksandr', 'sergei', 'vladimir', 'andrei', 'dmitri', 'aleksei', 'nikolai', 'viktor', 'igor', 'yuri', 'mikhail', 'oleg', 'ivan', 'pavel', 'evgeny', 'vladislav', 'anatoly', 'roman', 'maksim', 'konstantin', 'boris', 'gennady', 'valery', 'vitaly', 'stanislav', 'vadim', 'denis', 'artem', 'ruslan', 'leonid', 'grigory', 'timur', 'kirill', 'valentin', 'arkady', 'yaroslav', 'bogdan', 'taras', 'rostislav', 'svyatoslav', 'gleb', 'fedor', 'matvei', 'zakhar', 'vsevolod', 'platon', 'ilya', 'egor', 'semyon', 'lev'],
    femaleGivenNames: ['elena', 'olga', 'tatiana', 'natalia', 'irina', 'svetlana', 'anna', 'marina', 'yulia', 'ekaterina', 'lyudmila', 'galina', 'oksana', 'anastasia', 'larisa', 'valentina', 'nadezhda', 'vera', 'lyubov', 'zoya', 'kseniya', 'alla', 'daria', 'polina', 'inna', 'raisa', 'yana', 'alina', 'veronika', 'zhanna'],
    givenNameShape: { exponent: 1, shift: 8 },
    onsets: ['b', 'v', 'g', 'd', 'zh', 'z', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'f', 'kh', 'ts', 'ch', 'sh', 'br', 'dr', 'gr', 'kr', 'pr', 'tr', 'vl', 'sv', 'st', 'sl', 'sm', 'sk', 'zv', 'gl', 'bl', 'pl', 'kl', 'shch', 'khr', 'str', 'skr'],
    vowels: ['a', 'e', 'i', 'o', 'u', 'ya', 'yu', 'ye'],
    codas: ['', '', '', 'l', 'r', 'n', 's', 'v', 'sh', 'z', 'k', 'm', 'd', 'ch', 'st'],
    endings: ['ov', 'in', 'enko', 'sky', 'ev', 'uk', 'chuk', 'ovich', 'ak', 'ko', 'ets', 'ich', 'nikov', 'ovsky', 'yan', 'iy', 'ik', 'an', 'ets', 'yuk', 'ishin', 'anov', 'shin', 'itsky', 'ovets', 'kin', 'chenko', 'ukh'],
    surnames: { lexiconSize: 60_000, shape: { exponent: 1, shift: 40 }, rareShare: 0.25 },
    // Russian and Ukrainian lists give the patronymic almost always.
    middleNameRate: 0.85,
    countries: ['ua', 'ru', 'by', 'kz', 'rs', 'pl', 'bg'],
  },
  {
    name: 'arabic',
    share: 0.25,
    maleGivenNames: ['mohammed', 'ahmed', 'ali', 'mahmoud', 'abdullah', 'hassan', 'hussein', 'omar', 'ibrahim', 'khalid', 'mohamed', 'muhammad', 'youssef', 'mustafa', 'abdul', 'saleh', 'said', 'yasser', 'tariq', 'karim', 'nasser', 'hamid', 'faisal', 'jamal', 'rashid', 'samir', 'adel', 'walid', 'majid', 'salim', 'hamza', 'bilal', 'anas', 'osama', 'ayman', 'fahad', 'sultan', 'nabil', 'ziad', 'imad', 'hisham', 'marwan', 'bassam', 'ghassan', 'mounir', 'issa', 'yahya', 'abdelaziz', 'abdulrahman', 'ismail', 'mohammad', 'ahmad', 'hussain', 'khaled', 'mahmud', 'jaber', 'qasim', 'nizar', 'rami', 'wael'],
    femaleGivenNames: ['fatima', 'aisha', 'mariam', 'zainab', 'khadija', 'amina', 'layla', 'noor', 'huda', 'salma', 'amal', 'rania', 'hanan', 'samira', 'nadia', 'yasmin', 'sara', 'asma', 'hala', 'rima', 'iman', 'dalia', 'lina', 'reem', 'ghada', 'basma', 'sawsan', 'widad', 'nawal', 'suad'],
    givenNameShape: { exponent: 1, shift: 4 },
    onsets: ['b', 't', 'th', 'j', 'h', 'kh', 'd', 'dh', 'r', 'z', 's', 'sh', 'q', 'k', 'l', 'm', 'n', 'f', 'gh', 'w', 'y', 'z', 'ts'],
    vowels: ['a', 'i', 'u', 'aa', 'ou', 'ee', 'ai', 'e', 'o'],
    codas: ['', '', '', 'r', 'n', 'l', 'm', 'd', 'b', 'sh', 'f', 'q', 'k', 'h', 'z', 'th', 's'],
    endings: ['i', 'awi', 'ani', 'ari', 'a', 'uri', 'imi', 'idi', 'ashi', 'abi', 'aki', 'oun', 'aoui', 'ali', 'ati', 'ouf', 'air', 'ash', 'ib', 'oud', 'ah'],
    surnames: { lexiconSize: 80_000, shape: { exponent: 1, shift: 80 }, rareShare: 0.3 },
    // Arabic names on lists carry the father's name as a rule.
    middleNameRate: 0.8,
    countries: ['ae', 'jo', 'iq', 'sa', 'eg', 'ly', 'sd', 'ye', 'lb', 'sy', 'ir', 'af'],
  },
  {
    name: 'chinese',
    share: 0.08,
    // Two-syllable given names combine these, so the pool is a syllable pool. A romanised syllable
    // stands for several characters, and several family names share one romanisation (Jiang, Lu,
    // Wei...): repeats in these pools add up, as they do on real lists.
    maleGivenNames: ['wei', 'jun', 'ming', 'jian', 'hua', 'jie', 'tao', 'yong', 'qiang', 'lei', 'hong', 'hui', 'feng', 'gang', 'bin', 'hai', 'bo', 'xin', 'peng', 'yu', 'long', 'dong', 'hao', 'zhi', 'kai', 'chao', 'guo', 'cheng', 'sheng', 'liang', 'jin', 'wen', 'qing', 'zhong', 'guang', 'tian', 'xiang', 'yang', 'rui', 'lin', 'ping', 'kang', 'hao', 'rong', 'shan', 'gong', 'an', 'fu', 'xiao', 'zhen', 'zheng', 'heng', 'yuan', 'li', 'song', 'kun', 'xu', 'chuan', 'shun', 'hu', 'wu', 'ning', 'han', 'bao', 'qi', 'zhuo', 'yao', 'xuan', 'jia', 'zi', 'yi', 'chen', 'ze', 'hang', 'xing', 'quan', 'ren', 'shu', 'fei', 'shao'],
    femaleGivenNames: ['li', 'fang', 'na', 'min', 'jing', 'yan', 'juan', 'xia', 'ling', 'mei', 'hong', 'xiu', 'ying', 'hui', 'qin', 'lan', 'yun', 'yu', 'xue', 'qian', 'ting', 'lian', 'fen', 'zhen', 'shu', 'hua', 'ping', 'dan', 'yi', 'xin', 'lu', 'jia', 'yue', 'qiao', 'wen', 'rong', 'chun', 'xiao', 'yao', 'lin'],
    givenNameShape: { exponent: 0.9, shift: 4 },
    onsets: [],
    vowels: [],
    codas: [],
    endings: [],
    familyNames: ['wang', 'li', 'zhang', 'liu', 'chen', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'xu', 'sun', 'ma', 'zhu', 'hu', 'guo', 'he', 'gao', 'lin', 'luo', 'zheng', 'liang', 'xie', 'song', 'tang', 'han', 'feng', 'deng', 'cao', 'peng', 'zeng', 'xiao', 'tian', 'dong', 'pan', 'yuan', 'cai', 'jiang', 'yu', 'du', 'ye', 'cheng', 'wei', 'su', 'lv', 'ding', 'ren', 'lu', 'yao', 'shen', 'zhong', 'jiang', 'cui', 'tan', 'lu', 'fan', 'wang', 'liao', 'shi', 'jin', 'wei', 'jia', 'xia', 'fu', 'fang', 'zou', 'xiong', 'bai', 'meng', 'qin', 'qiu', 'hou', 'jiang', 'yin', 'xue', 'yan', 'duan', 'lei', 'long', 'li', 'shi', 'tao', 'he', 'mao', 'hao', 'gu', 'gong', 'shao', 'wan', 'qin', 'wu', 'qian', 'dai', 'yan', 'ou', 'mo', 'kong', 'xiang', 'chang', 'tang', 'kang', 'yi', 'qiao', 'lai', 'wen', 'niu', 'hong', 'fu', 'hua', 'zhuang', 'ni', 'bao', 'zuo', 'shu', 'guan', 'ji'],
    surnames: { lexiconSize: 0, shape: { exponent: 1, shift: 3 }, rareShare: 0 },
    middleNameRate: 0,
    countries: ['cn', 'hk', 'tw', 'sg', 'mo'],
  },
  {
    name: 'hispanic',
    share: 0.19,
    maleGivenNames: ['jose', 'juan', 'luis', 'carlos', 'jorge', 'miguel', 'francisco', 'antonio', 'manuel', 'pedro', 'jesus', 'alejandro', 'fernando', 'ricardo', 'eduardo', 'rafael', 'javier', 'roberto', 'sergio', 'daniel', 'mario', 'raul', 'oscar', 'hector', 'victor', 'diego', 'andres', 'pablo', 'alberto', 'enrique', 'arturo', 'ramon', 'gustavo', 'ruben', 'guillermo', 'julio', 'ernesto', 'cesar', 'ignacio', 'rodrigo', 'joaquin', 'esteban', 'alfonso', 'salvador', 'gerardo', 'gilberto', 'wilfredo', 'hugo', 'nestor', 'orlando'],
    femaleGivenNames: ['maria', 'ana', 'carmen', 'rosa', 'laura', 'isabel', 'lucia', 'patricia', 'claudia', 'gabriela', 'sofia', 'adriana', 'elena', 'marta', 'beatriz', 'veronica', 'paula', 'silvia', 'monica', 'teresa', 'ximena', 'valentina', 'daniela', 'lorena', 'gloria', 'alicia', 'esperanza', 'pilar', 'yolanda', 'marisol'],
    givenNameShape: { exponent: 1, shift: 6 },
    onsets: ['b', 'c', 'd', 'f', 'g', 'j', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'ch', 'll', 'br', 'cr', 'gr', 'pl', 'tr', 'qu', 'fr', 'bl', 'cl', 'gu', 'h'],
    vowels: ['a', 'e', 'i', 'o', 'u', 'ue', 'ia', 'ie', 'io'],
    codas: ['', '', '', 'r', 'n', 'l', 's', 'z', 'x'],
    endings: ['ez', 'es', 'o', 'a', 'ero', 'ado', 'ares', 'eda', 'illo', 'ana', 'oza', 'uela', 'ega', 'ino', 'osa', 'ales', 'ejo', 'era', 'ura', 'ano', 'iz', 'on', 'al'],
    surnames: { lexiconSize: 40_000, shape: { exponent: 1, shift: 15 }, rareShare: 0.2 },
    middleNameRate: 0.5,
    countries: ['co', 've', 'mx', 'ar', 'pe', 'ec', 'ni', 'cu', 'es', 'bo', 'gt', 'hn'],
  },
  {
    name: 'western',
    share: 0.19,
    maleGivenNames: ['john', 'michael', 'david', 'james', 'robert', 'william', 'thomas', 'peter', 'richard', 'paul', 'mark', 'daniel', 'christopher', 'andrew', 'stephen', 'hans', 'klaus', 'stefan', 'markus', 'wolfgang', 'jurgen', 'andreas', 'pierre', 'jean', 'philippe', 'francois', 'marco', 'luca', 'giuseppe', 'giovanni', 'jan', 'pieter', 'henrik', 'lars', 'erik', 'george', 'edward', 'charles', 'anthony', 'kevin', 'brian', 'gary', 'frank', 'martin', 'simon', 'nicolas', 'alain', 'matteo', 'dirk', 'sven'],
    femaleGivenNames: ['mary', 'anna', 'sarah', 'elizabeth', 'emma', 'julia', 'laura', 'claire', 'helen', 'susan', 'karen', 'linda', 'barbara', 'jennifer', 'greta', 'sabine', 'petra', 'monika', 'marie', 'isabelle', 'sophie', 'chiara', 'francesca', 'ingrid', 'astrid', 'margaret', 'catherine', 'nicole', 'ursula', 'birgit'],
    givenNameShape: { exponent: 1, shift: 10 },
    onsets: ['b', 'bl', 'br', 'c', 'ch', 'cl', 'cr', 'd', 'dr', 'f', 'fl', 'fr', 'g', 'gl', 'gr', 'h', 'k', 'kr', 'l', 'm', 'n', 'p', 'pr', 'r', 's', 'sch', 'sh', 'sp', 'st', 't', 'th', 'tr', 'v', 'w', 'wh', 'wr'],
    vowels: ['a', 'e', 'i', 'o', 'u', 'ea', 'ee', 'oo', 'ai', 'ie', 'ou', 'y'],
    codas: ['', '', 'n', 'r', 'l', 'ck', 'st', 'm', 'th', 'nd', 'rt', 'ng', 'x', 'tt', 'ss', 'ld'],
    endings: ['er', 's', 'son', 'ton', 'ley', 'man', 'ford', 'wood', 'mann', 'berg', 'feld', 'hardt', 'worth', 'stone', 'bridge', 'hausen', 'by', 'well', 'ing', 'el', 'ini', 'etti', 'eau', 'ot', 'sen', 'ink', 'stein', 'ham', 'field', 'more', 'ridge', 'dale'],
    surnames: { lexiconSize: 80_000, shape: { exponent: 1, shift: 60 }, rareShare: 0.25 },
    middleNameRate: 0.5,
    countries: ['gb', 'us', 'de', 'fr', 'it', 'ch', 'at', 'nl', 'cy', 'be', 'se', 'ca'],
  },
];

/** Sectors, most common on company names first. */
export const ORGANISATION_WORDS = ['trading', 'holdings', 'shipping', 'logistics', 'petroleum', 'industrial', 'import', 'export', 'technology', 'technologies', 'mining', 'capital', 'investment', 'investments', 'marine', 'construction', 'energy', 'aviation', 'machinery', 'metals', 'chemicals', 'finance', 'international', 'global', 'group', 'development', 'engineering', 'electronics', 'resources', 'services', 'systems', 'consulting', 'industries', 'commerce', 'maritime', 'tankers', 'oil', 'gas', 'steel', 'agro', 'pharma', 'security', 'defence', 'telecom', 'bank', 'insurance', 'realty', 'transport', 'navigation', 'equipment', 'supply', 'motors', 'power', 'minerals', 'textiles', 'foods', 'media', 'partners', 'ventures', 'enterprises'];
export const ORGANISATION_FORMS = ['llc', 'ltd', 'company', 'group', 'corporation', 'ooo', 'fze', 'sa', 'gmbh', 'jsc', 'limited', 'inc', 'pjsc', 'bv', 'plc', 'srl', 'ag', 'fzco'];
