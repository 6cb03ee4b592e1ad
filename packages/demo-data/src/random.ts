/** A small seeded PRNG (mulberry32): the demo data must be the same on every machine and every run. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  uuid(): string {
    const hex = Array.from({ length: 4 }, () => Math.floor(this.next() * 2 ** 32).toString(16).padStart(8, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[parseInt(hex[16]!, 16) & 3]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

/** `n` whole numbers between min and max that add up to exactly `total`. */
export function partsSumming(rng: Random, n: number, total: number, min: number, max: number): number[] {
  if (total < n * min || total > n * max) throw new Error(`cannot split ${total} into ${n} parts of ${min}..${max}`);
  const parts = Array.from({ length: n }, () => rng.int(min, max));
  let sum = parts.reduce((a, b) => a + b, 0);
  while (sum !== total) {
    const i = rng.int(0, n - 1);
    if (sum < total && parts[i]! < max) { parts[i]! += 1; sum += 1; }
    else if (sum > total && parts[i]! > min) { parts[i]! -= 1; sum -= 1; }
  }
  return parts;
}

export function isoDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
