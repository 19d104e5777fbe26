import { InvalidInputError } from './errors/domain-error';

/**
 * Control characters (C0, DEL, C1), format characters — zero-width space, non-joiner and joiner
 * (U+200B–U+200D), word joiner (U+2060), byte-order mark (U+FEFF), bidi overrides, soft hyphen — and
 * line / paragraph separators. None of them belongs in a name: they make `Base2` and `Base2\u200b`
 * look the same on screen while being two names.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
const EDGE_SPACES = /^\p{Zs}+|\p{Zs}+$/gu;

/**
 * A name a person typed (a list's, a campaign's), as it is stored and compared: Unicode NFC (so
 * `é` typed as e + U+0301 and as U+00E9 is one name), spaces trimmed, never empty, at most
 * `maxLength` characters; a control or invisible character anywhere is refused with a 400 naming
 * the field and the character, never silently dropped.
 */
export function normalizeName(field: string, value: string, maxLength: number): string {
  const normalized = (value ?? '').normalize('NFC');
  const invisible = INVISIBLE.exec(normalized);
  if (invisible) {
    const code = invisible[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new InvalidInputError(
      field,
      `must not contain control or invisible characters (U+${code} at position ${invisible.index + 1}); retype the name`,
      { character: `U+${code}` },
    );
  }
  const name = normalized.replace(EDGE_SPACES, '');
  if (!name) throw new InvalidInputError(field, 'must not be empty');
  if (name.length > maxLength) throw new InvalidInputError(field, `must be at most ${maxLength} characters`);
  return name;
}
