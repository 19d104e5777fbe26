import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLIC_DIR } from './static-assets';

/**
 * The dashboard's two dictionaries say the same things: every text in Russian and in English, with
 * the same {placeholders}, plural forms as Intl.PluralRules needs them, and every key the code asks
 * for by name.
 */
const PLURAL = /\.(zero|one|two|few|many|other)$/;

/** Keys with plural forms: those with a `.one` (`requests.other` alone is a plain key). */
function pluralBases(texts: Record<string, string>): Set<string> {
  return new Set(
    Object.keys(texts)
      .filter((key) => key.endsWith('.one'))
      .map((key) => key.replace(PLURAL, '')),
  );
}
const REQUIRED_FORMS = { en: ['one', 'other'], ru: ['one', 'few', 'many', 'other'] } as const;

function dictionary(language: 'en' | 'ru'): Record<string, string> {
  const source = readFileSync(join(PUBLIC_DIR, 'js', 'locales', `${language}.js`), 'utf8');
  // Our own file, a plain object literal: evaluate it rather than parse it by hand.
  return new Function(source.replace(`export const ${language} =`, 'return')).call(null);
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
}

/** key → placeholders, plural forms folded into their base key. */
function shape(texts: Record<string, string>): Map<string, string[]> {
  const bases = pluralBases(texts);
  const result = new Map<string, string[]>();
  for (const [key, text] of Object.entries(texts)) {
    const base = key.replace(PLURAL, '');
    result.set(bases.has(base) ? base : key, placeholders(text));
  }
  return result;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'locales' ? [] : sourceFiles(path);
    return path.endsWith('.js') ? [path] : [];
  });
}

describe('dashboard texts', () => {
  const en = dictionary('en');
  const ru = dictionary('ru');

  it('has every key in both languages with the same placeholders', () => {
    const enShape = shape(en);
    const ruShape = shape(ru);
    expect([...ruShape.keys()].sort()).toEqual([...enShape.keys()].sort());
    const differing = [...enShape].filter(
      ([key, names]) => JSON.stringify(names) !== JSON.stringify(ruShape.get(key)),
    );
    expect(differing).toEqual([]);
  });

  it('has the plural forms each language needs', () => {
    for (const [language, texts] of [
      ['en', en],
      ['ru', ru],
    ] as const) {
      const bases = [...pluralBases(texts)];
      expect(bases.length).toBeGreaterThan(0);
      const missing = bases.flatMap((base) =>
        REQUIRED_FORMS[language].map((form) => `${base}.${form}`).filter((key) => !(key in texts)),
      );
      expect({ language, missing }).toEqual({ language, missing: [] });
    }
  });

  it("has a text for every key the dashboard's code names", () => {
    const code = sourceFiles(join(PUBLIC_DIR, 'js'))
      .map((path) => readFileSync(path, 'utf8'))
      .join('\n');
    const named = [...code.matchAll(/\bt\('([\w.-]+)'/g)].map((match) => match[1]);
    const plurals = [...code.matchAll(/\bplural\('([\w.-]+)'/g)].map((match) => `${match[1]}.other`);
    expect(named.length).toBeGreaterThan(100);
    expect([...named, ...plurals].filter((key) => !(key in en))).toEqual([]);
  });
});
