export {
  type CredentialResolver,
  credentialResolver,
  type Resolved,
  type ResolverOptions,
} from "./credentials.js";
export { type GatewayOptions, gatewayHandler, refusalStatus, scrub, startGateway } from "./gateway.js";
export {
  type ChatRequest,
  estimateInputTokens,
  maxOutputTokens,
  requiredCapabilities,
} from "./openai.js";
