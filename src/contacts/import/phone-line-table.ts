/**
 * phone → first line it was seen on, for in-file dedupe of a million rows without a million-entry
 * Map of strings: open addressing over typed arrays (E.164 has at most 15 digits, exact in a double).
 */
export class PhoneLineTable {
  private keys: Float64Array;
  private lines: Int32Array;
  private size = 0;

  constructor(initialCapacity = 1 << 16) {
    this.keys = new Float64Array(initialCapacity);
    this.lines = new Int32Array(initialCapacity);
  }

  /** Records the phone on this line; returns the earlier line when the phone was seen before. */
  firstLineOf(phone: number, line: number): number | undefined {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const slot = this.findSlot(this.keys, phone);
    if (this.keys[slot] === phone) return this.lines[slot];
    this.keys[slot] = phone;
    this.lines[slot] = line;
    this.size++;
    return undefined;
  }

  /** Empty slots hold 0, which is never an E.164 number. */
  private findSlot(keys: Float64Array, phone: number): number {
    const mask = keys.length - 1;
    let slot = hash(phone) & mask;
    while (keys[slot] !== 0 && keys[slot] !== phone) slot = (slot + 1) & mask;
    return slot;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldLines = this.lines;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.lines = new Int32Array(oldKeys.length * 2);
    for (let index = 0; index < oldKeys.length; index++) {
      if (oldKeys[index] === 0) continue;
      const slot = this.findSlot(this.keys, oldKeys[index]);
      this.keys[slot] = oldKeys[index];
      this.lines[slot] = oldLines[index];
    }
  }
}

function hash(value: number): number {
  const low = (value % 4294967296) | 0;
  const high = (value / 4294967296) | 0;
  const mixed = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
  return (mixed ^ (mixed >>> 16)) >>> 0;
}
