import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export interface GeneratedCsv {
  rows: number;
  /** Rows expected to be rejected as invalid phones. */
  invalid: number;
  /** Rows repeating an earlier phone (in another format). */
  duplicates: number;
  bytes: number;
}

const FIRST_NAMES = [
  'Анна',
  'Иван',
  'Мария',
  'Пётр',
  'Olga',
  'John',
  'Алексей',
  'Елена',
  'Дмитрий',
  'Наталья',
];
const LAST_NAMES = [
  'Иванова',
  'Смирнов',
  'Кузнецова',
  'Попов',
  'Smith',
  'Петрова',
  'Соколов',
  'Lee',
  'Новикова',
  'Морозов',
];
const CITIES = ['Москва', 'Санкт-Петербург', 'Казань', 'Новосибирск', 'Екатеринбург', 'Самара'];
const INVALID = ['12345', 'нет', '+7 916 12', 'n/a', '000000'];

/** Deterministic PRNG (mulberry32) so every run imports the same file. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 10 national digits of a Russian mobile: 9XX XXX XX XX. */
function formatPhone(national: string, style: number): string {
  const [a, b, c, d] = [national.slice(0, 3), national.slice(3, 6), national.slice(6, 8), national.slice(8)];
  switch (style) {
    case 0:
      return `7${national}`;
    case 1:
      return `+7 ${a} ${b} ${c} ${d}`;
    case 2:
      return `8 (${a}) ${b}-${c}-${d}`;
    default:
      return national;
  }
}

/**
 * phone,name,city,order_id — mixed phone formats (79…, +7 9.., 8 (9..) …, 9…), 5 % repeats of an
 * earlier phone in another format, 1 % invalid phones, Cyrillic names, a quoted field now and then.
 */
export async function generateCsv(path: string, rows: number, seed = 42): Promise<GeneratedCsv> {
  const next = random(seed);
  const out = createWriteStream(path);
  const issued: string[] = [];
  let invalid = 0;
  let duplicates = 0;
  let bytes = 0;
  let chunk = 'phone,name,city,order_id\n';
  for (let row = 0; row < rows; row++) {
    const roll = next();
    let phone: string;
    if (roll < 0.01) {
      phone = INVALID[row % INVALID.length];
      invalid++;
    } else if (roll < 0.06 && issued.length > 0) {
      phone = formatPhone(issued[Math.floor(next() * issued.length)], Math.floor(next() * 4));
      duplicates++;
    } else {
      const national = `9${String(Math.floor(next() * 1e9)).padStart(9, '0')}`;
      issued.push(national);
      phone = formatPhone(national, Math.floor(next() * 4));
    }
    const name = `${FIRST_NAMES[Math.floor(next() * 10)]} ${LAST_NAMES[Math.floor(next() * 10)]}`;
    const city = CITIES[Math.floor(next() * CITIES.length)];
    chunk += `${phone},${row % 50 === 0 ? `"${name}, VIP"` : name},${city},ORD-${row + 1}\n`;
    if (chunk.length > 1 << 20) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await once(out, 'finish');
  // Random 9-digit tails can collide by chance; those rows are duplicates too and the import counts them.
  return { rows, invalid, duplicates, bytes };
}
