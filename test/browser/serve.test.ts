// The web app of wsops serve in headless Chromium (playwright-core driving Debian's /usr/bin/chromium),
// with two "machines" sharing one PostgreSQL store: machine B's agent waits on an approval (wsops exec
// --wait in its own workspace); the approver signs in on the server of machine A with their key, sees
// the call in the inbox, approves it, and B's call runs within a second; the timeline shows the whole
// call with its ids. An unauthenticated or CSRF-less request is refused, and the requester cannot
// approve their own request through the web. Screenshots go to $WSOPS_SCREENSHOT_DIR (docs/serve when
// refreshing the documentation's), else to a scratch folder.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, postgresAvailable } from "../../packages/store-postgres/dist/testing/test-server.js";
import {
  createKey,
  login,
  type Machine,
  machine,
  parkedCall,
  repoRoot,
  type Serving,
  serve,
  useProfile,
  wsops,
} from "../serve/support.js";

const shots = resolve(
  repoRoot,
  process.env.WSOPS_SCREENSHOT_DIR || mkdtempSync(join(tmpdir(), "wsops-shots-")),
);

/** Debian's chromium, as CI installs it: a fresh profile, nothing that reaches the network by itself. */
async function browser(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "wsops-chromium-")), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1100, height: 900 },
  });
}

const children: ChildProcess[] = [];

/** `wsops exec --wait` on a machine, as a child process: resolves with its exit code and output. */
function waitingExec(at: Machine, argv: string[]) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(repoRoot, "packages/cli/bin/wsops.js"),
      "exec",
      "--wait",
      "--wait-timeout",
      "120",
      "--json",
      "--no-stdin",
      "--sandbox",
      "process",
      "--actor",
      "agent:coder",
      "--session",
      "session-browser",
      ...at.storeFlags,
      "--",
      ...argv,
    ],
    { cwd: at.workspace, env: at.env, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c) => {
    stdout += c;
  });
  child.stderr?.on("data", (c) => {
    stderr += c;
  });
  const exited = new Promise<{ code: number | null; at: number; stdout: string; stderr: string }>((done) =>
    child.once("exit", (code) => done({ code, at: Date.now(), stdout, stderr })),
  );
  return { child, exited, stderr: () => stderr };
}

const available = postgresAvailable("wsops serve in a browser (test/browser/serve.test.ts)");

describe.runIf(available)("wsops serve in headless Chromium, two machines on one PostgreSQL store", () => {
  let a: Machine;
  let b: Machine;
  let server: Serving;
  let context: BrowserContext;
  let page: Page;
  let drop: () => Promise<void>;
  const shot = (name: string, target: Page = page) =>
    target.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    const database = await freshDatabase();
    drop = database.drop;
    a = machine(database.url);
    b = machine(database.url);
    const alice = createKey(a, "user:alice");
    useProfile(a, [{ principal: "user:alice", publicKey: alice }]);
    server = await serve(a);
    context = await browser();
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
    await context?.close();
    expect(await server?.stop()).toBe(0);
    await drop?.();
  });

  it("shows a stranger only how to sign in, and the API refuses them", async () => {
    await page.goto(server.url);
    await expect.poll(() => page.locator("h2").first().textContent()).toBe("Sign in");
    expect(await page.locator("pre code").textContent()).toBe(
      `wsops login ${server.url}/ --principal user:NAME`,
    );
    const refused = await page.evaluate(async () => {
      const r = await fetch("/api/v1/approvals");
      return {
        status: r.status,
        type: r.headers.get("content-type"),
        code: ((await r.json()) as { code: string }).code,
      };
    });
    expect(refused).toEqual({ status: 401, type: "application/problem+json", code: "not_signed_in" });
    await shot("signin");
  });

  it("shows B's waiting call in the inbox; alice approves it with the keyboard and B runs it within a second", async () => {
    const waiting = waitingExec(b, ["rm", "notes.txt"]);
    // B's call is parked in the shared store before anyone signs in.
    const pending = () =>
      JSON.parse(wsops(a, ["approvals", "--pending", "--json", ...a.storeFlags]).stdout) as {
        approvalRequestId: string;
      }[];
    await expect.poll(() => pending().length, { timeout: 20_000 }).toBe(1);
    const waitingId = pending()[0]?.approvalRequestId as string;
    const { loginUrl } = login(a, server.url);
    await page.goto(loginUrl);
    await expect.poll(() => page.locator("#inbox-title").textContent()).toBe("Waiting for approval 1");
    const card = page.locator(`article[data-approval="${waitingId}"]`);
    await expect.poll(() => card.count()).toBe(1);
    const text = await card.textContent();
    for (const part of [
      "destructive",
      "destructive_needs_approval",
      "agent:coder",
      "session-browser",
      "expires in",
    ])
      expect(text).toContain(part);
    await page.locator(".live.on").waitFor();

    // A call made after the page loaded appears without a reload (the event stream).
    const second = parkedCall(b, "agent:coder", "session-browser", ["git", "reset", "--hard"]);
    await expect
      .poll(() => page.locator(`article[data-approval="${second.approvalRequestId}"]`).count())
      .toBe(1);
    await shot("inbox");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot("inbox-phone");
    await page.setViewportSize({ width: 1100, height: 900 });

    // Approve B's waiting call with the keyboard: the comment, then Tab to Approve, Enter.
    await card.locator("textarea").focus();
    await page.keyboard.type("fixture file, fine to remove");
    await page.keyboard.press("Tab");
    expect(await page.locator(":focus").textContent()).toBe("Approve");
    const clicked = Date.now();
    await page.keyboard.press("Enter");
    const done = await waiting.exited;
    expect(done.code, done.stderr).toBe(0);
    const result = JSON.parse(done.stdout);
    expect(result).toMatchObject({
      outcome: "succeeded",
      exitCode: 0,
      approvalRequestId: waitingId,
      approval: { resolution: "approved", resolvedBy: { type: "user", id: "alice" }, signed: true },
    });
    expect(existsSync(join(b.workspace, "notes.txt"))).toBe(false);
    // From the resolution (recorded by the server on A) to the end of the run on B: under a second.
    const records = wsops(a, ["logs", result.toolExecutionId, "--json", ...a.storeFlags])
      .stdout.split("\n")
      .filter(Boolean)
      .map(
        (line) => JSON.parse(line) as { type: string; data: { resolvedAt?: string; delegation?: unknown } },
      );
    const resolution = records.find((r) => r.type === "approval_resolution")?.data;
    expect(resolution?.delegation).toBeDefined();
    const resolvedToRun = Date.parse(result.endedAt) - Date.parse(resolution?.resolvedAt as string);
    console.log(
      `resolution on A → B's call finished: ${resolvedToRun} ms; click → B's process exited: ${done.at - clicked} ms`,
    );
    expect(resolvedToRun).toBeLessThan(1000);
    // The inbox moves it to the history, live.
    await expect.poll(() => page.locator(`li.history-item[data-approval="${waitingId}"]`).count()).toBe(1);
    expect(await page.locator(`li.history-item[data-approval="${waitingId}"]`).textContent()).toContain(
      "by user:alice",
    );
  });

  it("refuses a change without the CSRF token, and alice's approval of her own request, and says why", async () => {
    const own = parkedCall(b, "user:alice", "session-browser");
    const csrfLess = await page.evaluate(async (id) => {
      const r = await fetch(`/api/v1/approvals/${id}/resolution`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ resolution: "approved" }),
      });
      return { status: r.status, code: ((await r.json()) as { code: string }).code };
    }, own.approvalRequestId);
    expect(csrfLess).toEqual({ status: 403, code: "csrf_failed" });
    const card = page.locator(`article[data-approval="${own.approvalRequestId}"]`);
    await expect.poll(() => card.count()).toBe(1);
    await card.getByRole("button", { name: "Approve" }).click();
    const alert = card.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^approval_refused: .*(own|self)/i);
    await shot("self-approval-refused");
    const status = JSON.parse(wsops(a, ["status", own.toolExecutionId, "--json", ...a.storeFlags]).stdout);
    expect(status.state).toBe("awaiting_approval");
  });

  it("shows the session's timeline with every call's ids, decision, approval and outcome, and each call's whole record", async () => {
    await page.goto(`${server.url}/#/sessions/session-browser`);
    const row = page.locator('li.call[data-outcome="succeeded"]');
    await expect.poll(() => row.count()).toBe(1);
    const id = (await row.getAttribute("data-execution")) as string;
    const shown = (await row.textContent()) ?? "";
    const record = JSON.parse(wsops(a, ["status", id, "--json", ...a.storeFlags]).stdout) as {
      approvalRequestId: string;
      decision: { decisionId: string };
      result: { traceId: string };
    };
    for (const part of [
      id,
      record.decision.decisionId,
      record.approvalRequestId,
      record.result.traceId,
      "rm notes.txt",
      "agent:coder",
      "approval_required (destructive_needs_approval)",
      "approved by user:alice",
      "Exit code0",
    ])
      expect(shown).toContain(part);
    // Filters: by outcome.
    await page.getByLabel("Outcome").selectOption("succeeded");
    expect(await page.locator("li.call").count()).toBe(1);
    await page.getByLabel("Outcome").selectOption("");
    await shot("timeline");
    await row.getByRole("link", { name: id }).click();
    await expect.poll(() => page.locator("#record-title").textContent()).toBe(`Call ${id}`);
    const types = await page.locator(".records h3").allTextContents();
    for (const type of [
      "request",
      "analysis",
      "decision",
      "approval_request",
      "approval_resolution",
      "approval_channel",
      "result",
    ])
      expect(types.some((t) => t.includes(` ${type} `))).toBe(true);
    await page.screenshot({ path: join(shots, "record.png") });
  });
});
