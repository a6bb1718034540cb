// `wsops login URL`: asks the server for a challenge, checks it is for this server and this principal
// and not too long, signs the delegation with the approver's own key (which stays here), and signs in.
import type { Principal } from "@workspace-ops/contracts";
import { type LoadedKey, signDelegation, type UnsignedDelegation } from "@workspace-ops/executor";

/** A sign-in never lasts longer than this, whatever a server proposes. */
export const MAX_DELEGATION_SECONDS = 24 * 3600;

export interface LoginResult {
  principal: Principal;
  expiresAt: string;
  loginUrl: string;
  token: string;
}

export type LoginOutcome =
  | { ok: true; login: LoginResult }
  | { ok: false; status: number; code: string; detail: string };

/** The server could not be reached at all. */
export class ServerUnreachable extends Error {}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      redirect: "error",
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new ServerUnreachable(`${url}: ${(error as Error).cause ?? (error as Error).message}`);
  }
  const text = await response.text();
  try {
    return { status: response.status, json: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return {
      status: response.status,
      json: {
        code: "not_json",
        detail: `the server answered ${response.status} with something that is not JSON`,
      },
    };
  }
}

const failed = (status: number, json: Record<string, unknown>): LoginOutcome => ({
  ok: false,
  status,
  code: typeof json.code === "string" ? json.code : "login_failed",
  detail: typeof json.detail === "string" ? json.detail : `the server answered ${status}`,
});

export async function login(url: string, principal: Principal, key: LoadedKey): Promise<LoginOutcome> {
  const origin = new URL(url).origin;
  const challenge = await post(`${origin}/api/v1/auth/challenge`, { principal });
  if (challenge.status !== 200) return failed(challenge.status, challenge.json);
  const delegation = challenge.json.delegation as UnsignedDelegation;
  const seconds = (Date.parse(delegation.expiresAt) - Date.parse(delegation.issuedAt)) / 1000;
  const problem =
    delegation.audience !== origin
      ? `the server asks for a delegation to ${delegation.audience}, not to ${origin}`
      : delegation.principal.type !== principal.type || delegation.principal.id !== principal.id
        ? "the server asks for a delegation of another principal"
        : !(seconds > 0 && seconds <= MAX_DELEGATION_SECONDS)
          ? `the server asks for a delegation of ${seconds} s (at most ${MAX_DELEGATION_SECONDS})`
          : null;
  if (problem) return { ok: false, status: 0, code: "challenge_refused", detail: problem };
  const signed = signDelegation(delegation, key);
  const answer = await post(`${origin}/api/v1/auth/login`, { delegation: signed });
  if (answer.status !== 200) return failed(answer.status, answer.json);
  return { ok: true, login: answer.json as unknown as LoginResult };
}
