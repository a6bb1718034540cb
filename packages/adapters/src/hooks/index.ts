export { claudeCode } from "./claude-code.js";
export type { HookAnswer, HookCall, HookEvent, RuntimeProtocol } from "./event.js";
export { geminiCli } from "./gemini-cli.js";
export { buildRequest, HookInputError, type HookSession } from "./request.js";
export { combine, type HookOptions, type HookResult, runHook } from "./run-hook.js";
export { type ServeOptions, serveHooks } from "./server.js";
