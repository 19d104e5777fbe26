/**
 * Whether an inbound text is a stop word: the whole message, trimmed, in any case, with surrounding
 * punctuation ignored ("Stop!", " стоп. "). `stopWords` are upper-case (AppConfig does that).
 */
export function isStopWord(text: string | null | undefined, stopWords: readonly string[]): boolean {
  if (!text) return false;
  const word = text
    .trim()
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
    .toUpperCase();
  return word !== '' && stopWords.includes(word);
}
