import metadata from 'libphonenumber-js/metadata.max.json';

/**
 * Proves, from libphonenumber's own metadata, how many trailing digits of a compact number can change
 * without changing what libphonenumber answers for it (valid or not, type, country, and the E.164
 * number being the same prefix + those digits). PhoneNormalizer then caches one answer per proven
 * prefix: "8 916 …" is proven after 4 digits, so a million RU mobiles cost a few thousand parses.
 *
 * Why it is sound. For a string of digits, everything libphonenumber's parse/isValid/getType decides
 * depends on the length and on regular expressions of the metadata tested on suffixes of the digits:
 * - prefix tests (IDD prefix, national prefix for parsing: `^(?:R)`, then cut off): proven fixed when no
 *   path of R's automaton survives to the end of the fixed part, from any start offset inside it — so
 *   those matches (their captured groups, where they end) never read a free digit and the cut ends
 *   inside the fixed part; leading digits (`search() === 0`, a test only) may also end on the last fixed
 *   digit, as long as no path can read one more;
 * - full tests (national number pattern, every type pattern: `^(?:R)$`): proven fixed when, from any start
 *   offset inside the fixed part, either every or no completion by free digits matches (a subset
 *   simulation of the automaton over the free digits);
 * - the country calling code (≤ 3 digits) read right after the start or after an IDD prefix, which must lie
 *   inside the fixed part.
 * Stripped prefixes therefore end inside the fixed part, the national number is a suffix of the input, and
 * its last digits are the input's. Plans with a national prefix transform rule (which rewrites digits),
 * or with regex syntax the automaton builder does not know, are never analysed (nothing is cached).
 * phone-normalizer.spec.ts compares cached answers with libphonenumber's on many random numbers.
 */

type CountryArray = unknown[];

const COUNTRIES = metadata.countries as unknown as Record<string, CountryArray>;
const NON_GEOGRAPHIC = ((metadata as unknown as { nonGeographic?: Record<string, CountryArray> })
  .nonGeographic ?? {}) as Record<string, CountryArray>;
const CALLING_CODES = metadata.country_calling_codes as Record<string, string[]>;

/** Digits read from the start that are never treated as free: covers a 3-digit calling code. */
export const MIN_FIXED_DIGITS = 4;
/** Fewer free digits than this is not worth a cache entry. */
export const MIN_FREE_DIGITS = 4;

interface PlanRegexes {
  /** IDD and national prefixes: what they match is cut off before the next tests. */
  strip: Nfa[];
  /** Leading digits: a test only. */
  leading: Nfa[];
  full: Nfa[];
  /** The default country's IDD prefix (numbers written without "+"). */
  idd?: RegExp;
}

const plans = new Map<string, PlanRegexes | null>();

/** The metadata regexes libphonenumber may test when parsing with this default country and calling code. */
function planRegexes(defaultCountry: string | undefined, callingCode: string): PlanRegexes | null {
  const key = `${defaultCountry ?? ''}:${callingCode}`;
  const known = plans.get(key);
  if (known !== undefined) return known;
  let plan: PlanRegexes | null;
  try {
    const countries: CountryArray[] = [];
    for (const code of CALLING_CODES[callingCode] ?? []) if (COUNTRIES[code]) countries.push(COUNTRIES[code]);
    if (NON_GEOGRAPHIC[callingCode]) countries.push(NON_GEOGRAPHIC[callingCode]);
    const home = defaultCountry ? COUNTRIES[defaultCountry] : undefined;
    if (home) countries.push(home);
    if (countries.length === 0) throw new Error('unknown calling code');
    const strip: Nfa[] = [];
    const leading: Nfa[] = [];
    const full: Nfa[] = [];
    for (const country of countries) {
      if (country[8]) throw new Error('national prefix transform rule');
      for (const index of [1, 5, 7, 10]) {
        const pattern = country[index];
        if (typeof pattern === 'string' && pattern !== '')
          (index === 10 ? leading : strip).push(compile(pattern));
      }
      if (typeof country[2] === 'string') full.push(compile(country[2]));
      for (const type of (country[11] as Array<unknown[] | null | 0> | undefined) ?? []) {
        if (type && typeof type[0] === 'string' && type[0] !== '') full.push(compile(type[0]));
      }
    }
    const idd = home && typeof home[1] === 'string' ? new RegExp(`^(?:${home[1]})`) : undefined;
    plan = { strip, leading, full, idd };
  } catch {
    plan = null;
  }
  plans.set(key, plan);
  return plan;
}

/**
 * The smallest number of leading digits of `digits` (the compact input without its "+") that decides
 * libphonenumber's answer for every number of the same length and spelling, or undefined.
 */
export function provenFixedDigits(
  digits: string,
  plus: boolean,
  defaultCountry: string | undefined,
  callingCode: string,
): number | undefined {
  const plan = planRegexes(defaultCountry, callingCode);
  if (!plan) return undefined;
  // Where a calling code may be read: at the start, or after the default country's IDD prefix.
  let callingCodeEnd = 3;
  if (!plus && plan.idd) {
    const idd = plan.idd.exec(digits);
    if (idd) callingCodeEnd = idd[0].length + 3;
  }
  for (
    let fixed = Math.max(MIN_FIXED_DIGITS, callingCodeEnd + 1);
    fixed <= digits.length - MIN_FREE_DIGITS;
    fixed++
  ) {
    if (decides(plan, digits, fixed, callingCodeEnd)) return fixed;
  }
  return undefined;
}

/**
 * Prefixes are cut off only at the start (IDD, national prefix) or right after a calling code read there
 * or after the IDD prefix: at offsets ≤ callingCodeEnd. Other tests may run at any offset of the fixed part.
 */
function decides(plan: PlanRegexes, digits: string, fixed: number, callingCodeEnd: number): boolean {
  const free = digits.length - fixed;
  for (let start = 0; start < fixed; start++) {
    const known = digits.slice(start, fixed);
    // A prefix cut off must end before the free digits (the next tests start where it ends)…
    if (start <= callingCodeEnd) for (const nfa of plan.strip) if (run(nfa, known).length > 0) return false;
    // …a leading-digits match may end at the last fixed digit, as long as no path reads further.
    for (const nfa of plan.leading) if (run(nfa, known).some((state) => nfa.mask[state] !== 0)) return false;
    for (const nfa of plan.full) if (!sameForAllCompletions(nfa, run(nfa, known), free)) return false;
  }
  return true;
}

/* ---------- a tiny regex → NFA compiler for the metadata's syntax: digits, \d, [..], (?:..), (..), |, ?, {n}, {n,m}, {n,} */

interface Nfa {
  eps: number[][];
  /** Bit d set: the state moves on digit d to `next`. */
  mask: number[];
  next: number[];
  start: number;
  accept: number;
}

type Ast =
  | { kind: 'set'; mask: number }
  | { kind: 'seq'; items: Ast[] }
  | { kind: 'alt'; items: Ast[] }
  | { kind: 'rep'; item: Ast; min: number; max: number };

const ALL_DIGITS = 0x3ff;
const compiled = new Map<string, Nfa>();

function compile(pattern: string): Nfa {
  const known = compiled.get(pattern);
  if (known) return known;
  const parser = new RegexParser(pattern);
  const ast = parser.parseAll();
  const nfa: Nfa = { eps: [], mask: [], next: [], start: 0, accept: 0 };
  const node = () => {
    nfa.eps.push([]);
    nfa.mask.push(0);
    nfa.next.push(-1);
    return nfa.eps.length - 1;
  };
  const build = (tree: Ast): [number, number] => {
    switch (tree.kind) {
      case 'set': {
        const [from, to] = [node(), node()];
        nfa.mask[from] = tree.mask;
        nfa.next[from] = to;
        return [from, to];
      }
      case 'seq': {
        const first = node();
        let end = first;
        for (const item of tree.items) {
          const [s, e] = build(item);
          nfa.eps[end].push(s);
          end = e;
        }
        return [first, end];
      }
      case 'alt': {
        const [from, to] = [node(), node()];
        for (const item of tree.items) {
          const [s, e] = build(item);
          nfa.eps[from].push(s);
          nfa.eps[e].push(to);
        }
        return [from, to];
      }
      case 'rep': {
        const first = node();
        let end = first;
        for (let index = 0; index < tree.min; index++) {
          const [s, e] = build(tree.item);
          nfa.eps[end].push(s);
          end = e;
        }
        const exit = node();
        if (tree.max === Infinity) {
          const loop = node();
          nfa.eps[end].push(loop);
          const [s, e] = build(tree.item);
          nfa.eps[loop].push(s, exit);
          nfa.eps[e].push(loop);
        } else {
          for (let index = tree.min; index < tree.max; index++) {
            const [s, e] = build(tree.item);
            nfa.eps[end].push(s, exit);
            end = e;
          }
          nfa.eps[end].push(exit);
        }
        return [first, exit];
      }
    }
  };
  const [start, accept] = build(ast);
  nfa.start = start;
  nfa.accept = accept;
  compiled.set(pattern, nfa);
  return nfa;
}

class RegexParser {
  private at = 0;
  constructor(private readonly text: string) {}

  parseAll(): Ast {
    const ast = this.alternation();
    if (this.at !== this.text.length) this.fail();
    return ast;
  }

  private fail(): never {
    throw new Error(`unsupported pattern at ${this.at}: ${this.text}`);
  }

  private alternation(): Ast {
    const items = [this.sequence()];
    while (this.text[this.at] === '|') {
      this.at++;
      items.push(this.sequence());
    }
    return items.length === 1 ? items[0] : { kind: 'alt', items };
  }

  private sequence(): Ast {
    const items: Ast[] = [];
    while (this.at < this.text.length && this.text[this.at] !== '|' && this.text[this.at] !== ')') {
      let atom = this.atom();
      for (;;) {
        const char = this.text[this.at];
        if (char === '?') {
          this.at++;
          atom = { kind: 'rep', item: atom, min: 0, max: 1 };
        } else if (char === '{') {
          const match = /^\{(\d+)(,(\d*))?\}/.exec(this.text.slice(this.at));
          if (!match) this.fail();
          this.at += match[0].length;
          const min = Number(match[1]);
          const max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
          atom = { kind: 'rep', item: atom, min, max };
        } else if (char === '*' || char === '+') {
          this.at++;
          atom = { kind: 'rep', item: atom, min: char === '*' ? 0 : 1, max: Infinity };
        } else break;
      }
      items.push(atom);
    }
    return { kind: 'seq', items };
  }

  private atom(): Ast {
    const char = this.text[this.at];
    if (char >= '0' && char <= '9') {
      this.at++;
      return { kind: 'set', mask: 1 << Number(char) };
    }
    if (char === '\\') {
      if (this.text[this.at + 1] !== 'd') this.fail();
      this.at += 2;
      return { kind: 'set', mask: ALL_DIGITS };
    }
    if (char === '(') {
      this.at += this.text.startsWith('(?:', this.at) ? 3 : 1;
      const inner = this.alternation();
      if (this.text[this.at] !== ')') this.fail();
      this.at++;
      return inner;
    }
    if (char === '[') {
      this.at++;
      let mask = 0;
      while (this.text[this.at] !== ']') {
        const from = this.text[this.at];
        if (!(from >= '0' && from <= '9')) this.fail();
        if (this.text[this.at + 1] === '-' && this.text[this.at + 2] !== ']') {
          const to = this.text[this.at + 2];
          if (!(to >= '0' && to <= '9') || to < from) this.fail();
          for (let digit = Number(from); digit <= Number(to); digit++) mask |= 1 << digit;
          this.at += 3;
        } else {
          mask |= 1 << Number(from);
          this.at++;
        }
      }
      this.at++;
      return { kind: 'set', mask };
    }
    return this.fail();
  }
}

/** Sorted state set after the epsilon closure of `states`. */
function closure(nfa: Nfa, states: number[]): number[] {
  const seen = new Set<number>();
  const stack = [...states];
  while (stack.length > 0) {
    const state = stack.pop()!;
    if (seen.has(state)) continue;
    seen.add(state);
    for (const next of nfa.eps[state]) if (!seen.has(next)) stack.push(next);
  }
  return [...seen].sort((a, b) => a - b);
}

const stepMemo = new WeakMap<Nfa, Map<string, number[]>>();

function step(nfa: Nfa, states: number[], digit: number): number[] {
  let memo = stepMemo.get(nfa);
  if (!memo) stepMemo.set(nfa, (memo = new Map()));
  const key = `${digit}|${states.join(',')}`;
  let result = memo.get(key);
  if (result === undefined) {
    const moved: number[] = [];
    for (const state of states) if (nfa.mask[state] & (1 << digit)) moved.push(nfa.next[state]);
    result = moved.length === 0 ? moved : closure(nfa, moved);
    if (memo.size < 50_000) memo.set(key, result);
  }
  return result;
}

const runMemo = new WeakMap<Nfa, Map<string, number[]>>();

/** States alive after reading `text` from the start (empty: no path got that far). */
function run(nfa: Nfa, text: string): number[] {
  let memo = runMemo.get(nfa);
  if (!memo) runMemo.set(nfa, (memo = new Map([['', closure(nfa, [nfa.start])]])));
  const known = memo.get(text);
  if (known !== undefined) return known;
  const before = run(nfa, text.slice(0, -1));
  const states = before.length === 0 ? before : step(nfa, before, text.charCodeAt(text.length - 1) - 48);
  if (memo.size < 50_000) memo.set(text, states);
  return states;
}

const completionMemo = new WeakMap<Nfa, Map<string, boolean>>();

/** Whether all, or none, of the `free`-digit continuations from `states` end in a full match. */
function sameForAllCompletions(nfa: Nfa, states: number[], free: number): boolean {
  if (states.length === 0) return true;
  let memo = completionMemo.get(nfa);
  if (!memo) completionMemo.set(nfa, (memo = new Map()));
  const memoKey = `${free}|${states.join(',')}`;
  const known = memo.get(memoKey);
  if (known !== undefined) return known;
  let frontier = new Map<string, number[]>([[states.join(','), states]]);
  for (let index = 0; index < free; index++) {
    const next = new Map<string, number[]>();
    for (const set of frontier.values()) {
      if (set.length === 0) {
        next.set('', set);
        continue;
      }
      for (let digit = 0; digit <= 9; digit++) {
        const moved = step(nfa, set, digit);
        const key = moved.join(',');
        if (!next.has(key)) next.set(key, moved);
      }
    }
    frontier = next;
  }
  let answer: boolean | undefined;
  let same = true;
  for (const set of frontier.values()) {
    const accepts = set.includes(nfa.accept);
    if (answer === undefined) answer = accepts;
    else if (answer !== accepts) same = false;
  }
  if (memo.size < 50_000) memo.set(memoKey, same);
  return same;
}
