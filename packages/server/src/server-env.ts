import type { HttpBindings } from "@hono/node-server";
import type { Credential } from "./auth/sessions.js";

/** What every handler of the app sees: node's request and, once authenticated, the approver. */
export type ServerEnv = { Bindings: HttpBindings; Variables: { credential: Credential } };
