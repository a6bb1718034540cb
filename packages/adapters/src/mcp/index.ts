export { type ProxyOptions, runProxy, type UpstreamServer } from "./proxy.js";
export { configuredServers, McpConfigError, readMcpConfig } from "./servers.js";
