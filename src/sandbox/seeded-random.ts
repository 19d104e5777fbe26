/** mulberry32: a tiny, fast PRNG, so a seed replays the same faults and statuses. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    return hashToUnit(this.state);
  }

  chance(probability: number | undefined): boolean {
    return probability !== undefined && probability > 0 && this.next() < probability;
  }
}

/** A stateless draw for (seed, key): a message's fate depends on its id, not on request order. */
export function unitFor(seed: number, key: number, salt: number): number {
  return hashToUnit((seed ^ Math.imul(key, 0x9e3779b1) ^ Math.imul(salt, 0x85ebca6b)) >>> 0);
}

function hashToUnit(value: number): number {
  let t = value;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
