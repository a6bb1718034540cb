// wsops hook … --server: the first hook decides itself and starts a warm server; the next ones are
// answered by it; a server that is gone (idle, killed) is never needed to decide.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { askServer } from "../../packages/adapters/dist/hooks/client.js";
import { cliEnv, wsops } from "../cli/run-cli.js";
import { recorded, workspace } from "./support.js";

const env = { ...cliEnv, WSOPS_HOOK_SERVER_IDLE_SECONDS: "3" };
const hooksDir = join(cliEnv.XDG_STATE_HOME, "wsops", "hooks");

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const served = async (socket: string) =>
  (await askServer(socket, { stdin: "", env: {}, probe: true }, 5000))?.stdout;

describe("wsops hook --server", () => {
  it("starts a server, is answered by it, and decides alone when it is gone", async () => {
    const ws = workspace();
    const read = (id: string) => ({ ...recorded("claude-code", "pre-read-inside", ws), tool_use_id: id });
    const hook = (input: unknown) =>
      wsops(["hook", "claude-code", "--server"], {
        cwd: ws.dir,
        env,
        input: typeof input === "string" ? input : JSON.stringify(input),
      });
    const answer = (ran: { stdout: string }) => JSON.parse(ran.stdout).hookSpecificOutput.permissionDecision;

    // No server yet: decided in this process, and a server is started.
    expect(answer(hook(read("toolu_s1")))).toBe("allow");
    const pidFile = await until(
      () => (existsSync(hooksDir) ? readdirSync(hooksDir).find((f) => f.endsWith(".sock.pid")) : undefined),
      "the server to start",
    );
    const socket = join(hooksDir, pidFile.replace(/\.pid$/, ""));
    const pid = Number(readFileSync(join(hooksDir, pidFile), "utf8"));
    expect(alive(pid)).toBe(true);
    expect(await served(socket)).toBe("served 0\n");

    expect(answer(hook(read("toolu_s2")))).toBe("allow");
    const destructive = hook(recorded("claude-code", "pre-bash-destructive", ws));
    expect(answer(destructive)).toBe("deny");
    expect(JSON.parse(destructive.stdout).hookSpecificOutput.permissionDecisionReason).toContain(
      "wsops approve apr-",
    );
    // Malformed input is refused by the server as it would be here: exit 2, one line.
    const malformed = hook("{not json");
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/^wsops hook claude-code: malformed hook input: not JSON/);
    expect(await served(socket)).toBe("served 3\n");
    // The calls it decided are in the workspace's store like any other.
    expect(JSON.parse(wsops(["status", "texec-toolu_s2", "--json"], { cwd: ws.dir }).stdout).state).toBe(
      "running",
    );

    // Idle: it exits, and removes its socket.
    await until(() => (alive(pid) ? undefined : true), "the server to exit when idle");
    expect(existsSync(socket)).toBe(false);
    expect(await askServer(socket, { stdin: "", env: {}, probe: true }, 1000)).toBeNull();
    // Without it, the hook decides itself (and starts the next one, which exits in turn).
    expect(answer(hook(read("toolu_s3")))).toBe("allow");
    const next = Number(
      await until(
        () => (existsSync(`${socket}.pid`) ? readFileSync(`${socket}.pid`, "utf8") : undefined),
        "a new server",
      ),
    );
    await until(() => (alive(next) ? undefined : true), "the new server to exit when idle");
  });
});
