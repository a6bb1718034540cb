// @ts-check
// The executor's own test payloads (packages/executor/src/testing/payloads.ts, built into dist but not
// exported by the package): one builder for the tests and the benchmark.
export { agent, T0, toolCall, traceparent } from "../../../packages/executor/dist/testing/payloads.js";
