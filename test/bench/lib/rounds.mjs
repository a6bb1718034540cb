// @ts-check
// Interleaved rounds of async operations, and percentiles of their pooled samples.

/** Nearest-rank percentile of pooled samples. @param {readonly number[]} xs @param {number} q */
export function percentile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return /** @type {number} */ (s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]);
}

/**
 * Rounds in which every side runs `per[side]` calls in a row; the order of the sides rotates each
 * round, so drift and each side's garbage hit all of them alike. Samples are pooled per side.
 * @param {Record<string, () => Promise<number>>} sides
 * @param {Record<string, number>} per
 * @param {number} rounds
 */
export async function interleaved(sides, per, rounds) {
  const names = Object.keys(sides);
  /** @type {Record<string, number[]>} */
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const order = names.map((_, k) => /** @type {string} */ (names[(k + r) % names.length]));
    for (const name of order) {
      const side = /** @type {() => Promise<number>} */ (sides[name]);
      const into = /** @type {number[]} */ (samples[name]);
      for (let i = 0; i < (per[name] ?? 0); i++) into.push(await side());
    }
  }
  return samples;
}
