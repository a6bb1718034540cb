// The OpenAI chat-completions protocol as the gateway needs it: what a request asks of a model (its
// capabilities and expected tokens, for the ModelCallRequest), the body sent upstream, the usage a
// response or a stream chunk reports, and OpenAI-style error bodies.

/** The parts of a chat-completions request the gateway reads; everything else passes through. */
export interface ChatRequest {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  stream_options?: unknown;
  tools?: unknown;
  functions?: unknown;
  response_format?: { type?: unknown } | null;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
  [key: string]: unknown;
}

/** The capabilities a request needs, named as bindings name them. */
export function requiredCapabilities(body: ChatRequest): string[] {
  const needs = new Set<string>();
  if ((Array.isArray(body.tools) && body.tools.length > 0) || Array.isArray(body.functions))
    needs.add("tool_use");
  const format = body.response_format?.type;
  if (format === "json_object" || format === "json_schema") needs.add("json_mode");
  if (body.stream === true) needs.add("streaming");
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const image = (part: unknown) => (part as { type?: unknown } | null)?.type === "image_url";
  if (
    messages.some(
      (m) =>
        Array.isArray((m as { content?: unknown })?.content) &&
        (m as { content: unknown[] }).content.some(image),
    )
  )
    needs.add("vision");
  return [...needs].sort();
}

/**
 * Input tokens, estimated without a tokenizer as one token per 4 bytes of the messages and tools
 * (the provider's count, when it reports one, replaces it in the usage record).
 */
export function estimateInputTokens(body: ChatRequest): number {
  const text = JSON.stringify([body.messages ?? null, body.tools ?? null, body.functions ?? null]);
  return Math.ceil(Buffer.byteLength(text) / 4);
}

/** The output tokens the request allows itself, else `fallback`. */
export function maxOutputTokens(body: ChatRequest, fallback: number): number {
  for (const value of [body.max_completion_tokens, body.max_tokens])
    if (Number.isSafeInteger(value) && (value as number) >= 0) return value as number;
  return fallback;
}

/** The body for the upstream: the routed model, and a stream that reports its usage. */
export function upstreamBody(body: ChatRequest, model: string): string {
  const forwarded: ChatRequest = { ...body, model };
  if (body.stream === true) {
    const options =
      typeof body.stream_options === "object" && body.stream_options !== null ? body.stream_options : {};
    forwarded.stream_options = { ...options, include_usage: true };
  }
  return JSON.stringify(forwarded);
}

/** Token counts as a response or a chunk reports them (cumulative for a stream). */
export interface UsageCounts {
  tokensIn: number;
  tokensOut: number;
}

export function usageOf(payload: unknown): UsageCounts | undefined {
  const usage = (payload as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } } | null)
    ?.usage;
  if (!usage || typeof usage !== "object") return undefined;
  const { prompt_tokens: tokensIn, completion_tokens: tokensOut } = usage;
  if (!Number.isSafeInteger(tokensIn) || !Number.isSafeInteger(tokensOut)) return undefined;
  return { tokensIn: Math.max(0, tokensIn as number), tokensOut: Math.max(0, tokensOut as number) };
}

/** Whether a stream chunk carries generated output (content, a refusal or tool calls). */
export function producesOutput(chunk: unknown): boolean {
  const choices = (chunk as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) return false;
  return choices.some((choice) => {
    const delta = (choice as { delta?: Record<string, unknown> } | null)?.delta;
    if (!delta) return false;
    return (
      Boolean(delta.content) ||
      Boolean(delta.refusal) ||
      (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0)
    );
  });
}

/** An OpenAI-style error body. */
export function errorBody(message: string, type: string, code: string): string {
  return JSON.stringify({ error: { message, type, param: null, code } });
}
