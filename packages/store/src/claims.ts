import { hostname } from "node:os";
import type { ClaimOwner } from "./types.js";

/** This process: the owner of the claims it takes, and the runner a call's transition to running names. */
export const thisProcess = (): ClaimOwner => ({ host: hostname(), pid: process.pid });

/**
 * A claim may be taken over only when its owner is known to be gone: a process of this host that no
 * longer exists. A process on another host is never judged (its pid means nothing here).
 */
export function ownerIsGone(owner: ClaimOwner, host = hostname()): boolean {
  if (owner.host !== host || owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
