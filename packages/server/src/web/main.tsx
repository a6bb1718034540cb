// The web app: who is signed in, the hash route (#/ inbox, #/sessions, #/sessions/ID, #/traces/ID,
// #/executions/ID), the data each view shows, and live updates: every audit event on the server's
// event stream makes the current view read its data again — no reload.
import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import {
  ApiProblem,
  type ApprovalItem,
  get,
  type Session,
  type SessionInfo,
  setCsrfToken,
  type TimelineEntry,
} from "./api.js";
import { Inbox } from "./inbox.js";
import { Record, Sessions, Timeline } from "./timeline.js";

type Route =
  | { view: "inbox" }
  | { view: "sessions" }
  | { view: "session"; id: string }
  | { view: "trace"; id: string }
  | { view: "execution"; id: string };

function routeOf(hash: string): Route {
  const [, view, id] = hash.replace(/^#/, "").split("/");
  const value = id ? decodeURIComponent(id) : "";
  if (view === "sessions") return value ? { view: "session", id: value } : { view: "sessions" };
  if (view === "traces" && value) return { view: "trace", id: value };
  if (view === "executions" && value) return { view: "execution", id: value };
  return { view: "inbox" };
}

type Data =
  | { view: "inbox"; items: ApprovalItem[] }
  | { view: "sessions"; sessions: SessionInfo[] }
  | { view: "timeline"; title: string; entries: TimelineEntry[] }
  | {
      view: "execution";
      record: {
        execution: TimelineEntry;
        records: { seq: number; at: string; type: string; data: unknown }[];
      };
    };

async function load(route: Route): Promise<Data> {
  switch (route.view) {
    case "inbox":
      return {
        view: "inbox",
        items: (await get<{ items: ApprovalItem[] }>("/api/v1/approvals?limit=200")).items,
      };
    case "sessions":
      return { view: "sessions", sessions: (await get<{ items: SessionInfo[] }>("/api/v1/sessions")).items };
    case "session": {
      const page = await get<{ items: TimelineEntry[] }>(
        `/api/v1/executions?session=${encodeURIComponent(route.id)}&limit=500`,
      );
      return { view: "timeline", title: `Session ${route.id}`, entries: page.items };
    }
    case "trace": {
      const page = await get<{ items: TimelineEntry[] }>(
        `/api/v1/executions?trace=${encodeURIComponent(route.id)}&limit=1000`,
      );
      return { view: "timeline", title: `Trace ${route.id}`, entries: page.items };
    }
    case "execution":
      return { view: "execution", record: await get(`/api/v1/executions/${encodeURIComponent(route.id)}`) };
  }
}

function SignIn() {
  const url = `${location.origin}/`;
  return (
    <main id="main" class="signin">
      <h1>wsops</h1>
      <h2>Sign in</h2>
      <p>Approvers sign in with the key wsops keys create made for them. On your machine, run:</p>
      <pre>
        <code>wsops login {url} --principal user:NAME</code>
      </pre>
      <p>and open the link it prints, once, in this browser. Your private key never leaves your machine.</p>
    </main>
  );
}

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [route, setRoute] = useState<Route>(routeOf(location.hash));
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [live, setLive] = useState(false);

  useEffect(() => {
    get<Session>("/api/v1/session").then(
      (s) => {
        setCsrfToken(s.csrfToken);
        setSession(s);
      },
      () => setSession(null),
    );
    const onHash = () => setRoute(routeOf(location.hash));
    addEventListener("hashchange", onHash);
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      removeEventListener("hashchange", onHash);
      clearInterval(timer);
    };
  }, []);

  // Live updates: any audit event (a new call, a decision, an approval, a result) refreshes the view.
  useEffect(() => {
    if (!session) return;
    const events = new EventSource("/api/v1/events");
    let pending: ReturnType<typeof setTimeout> | undefined;
    const changed = () => {
      clearTimeout(pending);
      pending = setTimeout(() => setTick((t) => t + 1), 100);
    };
    events.addEventListener("ready", () => setLive(true));
    events.onmessage = changed;
    const types = [
      "request",
      "decision",
      "approval_request",
      "approval_resolution",
      "approval_refused",
      "transition",
      "result",
      "approval_channel",
    ];
    for (const type of types) events.addEventListener(type, changed);
    events.onerror = () => setLive(events.readyState === EventSource.OPEN);
    return () => {
      clearTimeout(pending);
      events.close();
    };
  }, [session]);

  const refresh = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (!session) return;
    let current = true;
    load(route).then(
      (d) => {
        if (!current) return;
        setData(d);
        setError(null);
      },
      (e) =>
        current && setError(e instanceof ApiProblem ? `${e.problem.code}: ${e.problem.detail}` : String(e)),
    );
    return () => {
      current = false;
    };
  }, [session, route, tick]);

  if (session === undefined) return <main id="main" aria-busy="true" />;
  if (session === null) return <SignIn />;
  const here = (view: string) => (route.view === view ? "page" : undefined);
  return (
    <>
      <header>
        <h1>wsops</h1>
        <nav aria-label="Views">
          <a href="#/" aria-current={here("inbox")}>
            Inbox
          </a>
          <a href="#/sessions" aria-current={route.view === "inbox" ? undefined : "page"}>
            Timeline
          </a>
        </nav>
        <span class={`live ${live ? "on" : "off"}`} role="status">
          {live ? "live" : "connecting…"}
        </span>
      </header>
      <main id="main">
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {data?.view === "inbox" && route.view === "inbox" && (
          <Inbox items={data.items} now={now} me={session.principal} refresh={refresh} />
        )}
        {data?.view === "sessions" && route.view === "sessions" && <Sessions sessions={data.sessions} />}
        {data?.view === "timeline" && (route.view === "session" || route.view === "trace") && (
          <Timeline title={data.title} entries={data.entries} />
        )}
        {data?.view === "execution" && route.view === "execution" && <Record record={data.record} />}
      </main>
    </>
  );
}

render(<App />, document.getElementById("app") as HTMLElement);
