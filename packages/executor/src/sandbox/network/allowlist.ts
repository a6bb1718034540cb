// Deciding one connection the filtering proxy was asked for: host and port against the allowlist, on
// the name the client gave, then the address it resolves to — resolved once, here, so a DNS answer that
// changes afterwards (rebinding) cannot redirect the connection the decision was about.
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/** One allowlist entry: "host", "*.domain" (any subdomain, not the domain itself), either with ":port". */
export interface AllowEntry {
  host: string;
  wildcard: boolean;
  /** null: the web's ports, 80 and 443. */
  port: number | null;
}

export type ConnectionReason = "allowlisted" | "not_allowlisted" | "private_address" | "unresolvable";

export type Verdict =
  | { allowed: true; reason: "allowlisted"; address: string; family: 4 | 6 }
  | { allowed: false; reason: Exclude<ConnectionReason, "allowlisted"> };

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

const WEB_PORTS = [80, 443];

export function parseAllowlist(entries: readonly string[]): AllowEntry[] {
  return entries.map((entry) => {
    const colon = entry.lastIndexOf(":");
    const name = colon === -1 ? entry : entry.slice(0, colon);
    const port = colon === -1 ? null : Number(entry.slice(colon + 1));
    const wildcard = name.startsWith("*.");
    return { host: normalizeHost(wildcard ? name.slice(2) : name), wildcard, port };
  });
}

/** Lowercase, without a trailing dot or IPv6 brackets: the form entries and requests are compared in. */
export function normalizeHost(host: string): string {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return bare.toLowerCase().replace(/\.$/, "");
}

/** The entry that admits host:port; an exact entry is preferred to a wildcard. */
export function matchEntry(entries: readonly AllowEntry[], host: string, port: number): AllowEntry | null {
  const name = normalizeHost(host);
  let wildcardMatch: AllowEntry | null = null;
  for (const entry of entries) {
    if (!(entry.port === null ? WEB_PORTS.includes(port) : entry.port === port)) continue;
    if (!entry.wildcard && entry.host === name) return entry;
    if (entry.wildcard && name.endsWith(`.${entry.host}`)) wildcardMatch ??= entry;
  }
  return wildcardMatch;
}

/**
 * Loopback, private, link-local, carrier-grade NAT, multicast, reserved…: everything ipaddr.js does
 * not call plain unicast. An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === "unicast";
}

const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * The verdict on one connection. The name must be admitted by an entry; then its addresses (an IP
 * literal is its own) are filtered: a public address is always fine, a non-public one only when an
 * exact entry named the host — a wildcard never reaches loopback or the private network.
 */
export async function decideConnection(
  entries: readonly AllowEntry[],
  host: string,
  port: number,
  resolve: Resolver = systemResolver,
): Promise<Verdict> {
  const entry = matchEntry(entries, host, port);
  if (!entry) return { allowed: false, reason: "not_allowlisted" };
  const name = normalizeHost(host);
  let addresses: { address: string; family: number }[];
  if (isIP(name) !== 0) addresses = [{ address: name, family: isIP(name) }];
  else {
    try {
      addresses = await resolve(name);
    } catch {
      addresses = [];
    }
  }
  if (addresses.length === 0) return { allowed: false, reason: "unresolvable" };
  const usable = addresses.find((a) => !entry.wildcard || isPublicAddress(a.address));
  if (!usable) return { allowed: false, reason: "private_address" };
  return {
    allowed: true,
    reason: "allowlisted",
    address: usable.address,
    family: usable.family === 6 ? 6 : 4,
  };
}
