import { existsSync, readdirSync, readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";

const POLL_MS = 25;
// After SIGKILL the kernel still has to tear the processes down; wait a bounded while for that so
// "the run is over" means "nothing of it is left".
const KILL_CONFIRM_MS = 2000;

/** Sends `signal` to every process in group `pgid`; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    // ESRCH: nobody left. EPERM would mean the pgid was reused by someone else's group: leave it alone.
    return false;
  }
}

const HAS_PROC = existsSync("/proc/self/stat");

/**
 * Whether any process of the group still runs. Zombies do not count: an orphan's zombie waits for
 * PID 1 to reap it, which some inits do only every second or so, yet it holds nothing. Without
 * /proc, kill(-pgid, 0) is the best answer available.
 */
export function groupAlive(pgid: number): boolean {
  if (!HAS_PROC) return signalGroup(pgid, 0);
  // The usual answer, and the cheap one: no process at all is left in the group (the /proc scan below
  // reads every process's stat, about 2 ms per run on a busy machine).
  if (groupEmpty(pgid)) return false;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(entry);
    if (stat && stat.pgrp === pgid && stat.state !== "Z" && stat.state !== "X") return true;
  }
  return false;
}

/** True when not even a zombie is left in group `pgid` (kill(-pgid, 0) finds nobody: ESRCH). */
function groupEmpty(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function procStat(pid: string): { state: string; pgrp: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid pgrp …"; comm may itself contain spaces and parentheses.
    const [state = "", , pgrp = ""] = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state, pgrp: Number(pgrp) };
  } catch {
    return null; // exited while we looked
  }
}

/**
 * SIGTERM to the whole group (grandchildren included), then SIGKILL to whatever is still there
 * `graceMs` later. Resolves as soon as the group is empty (or, past SIGKILL, after a bounded wait:
 * a zombie nobody reaps keeps the group "alive" without holding anything).
 */
export async function terminateGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pgid, "SIGTERM")) return;
  if (await groupGoneWithin(pgid, graceMs)) return;
  if (!signalGroup(pgid, "SIGKILL")) return;
  await groupGoneWithin(pgid, KILL_CONFIRM_MS);
}

async function groupGoneWithin(pgid: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    await delay(Math.min(POLL_MS, Math.max(0, deadline - performance.now())));
    if (!groupAlive(pgid)) return true;
  }
  return false;
}
