// What a chat-completions request asks of a model, and what the gateway sends upstream.
import { describe, expect, it } from "vitest";
import {
  estimateInputTokens,
  maxOutputTokens,
  producesOutput,
  requiredCapabilities,
  upstreamBody,
  usageOf,
} from "./openai.js";

describe("chat-completions requests", () => {
  it("names the capabilities a request needs", () => {
    expect(requiredCapabilities({ messages: [] })).toEqual([]);
    expect(
      requiredCapabilities({
        stream: true,
        tools: [{ type: "function", function: { name: "f" } }],
        response_format: { type: "json_schema" },
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "?" },
              { type: "image_url", image_url: { url: "data:," } },
            ],
          },
        ],
      }),
    ).toEqual(["json_mode", "streaming", "tool_use", "vision"]);
    expect(requiredCapabilities({ messages: [], tools: [], response_format: { type: "text" } })).toEqual([]);
  });

  it("estimates input tokens from bytes and takes max_completion_tokens, then max_tokens, then the default", () => {
    expect(estimateInputTokens({ messages: [{ role: "user", content: "x".repeat(400) }] })).toBe(111); // 442 bytes of JSON
    expect(maxOutputTokens({ max_tokens: 10, max_completion_tokens: 20 }, 1024)).toBe(20);
    expect(maxOutputTokens({ max_tokens: 10 }, 1024)).toBe(10);
    expect(maxOutputTokens({ max_tokens: -1 }, 1024)).toBe(1024);
  });

  it("sends the routed model, and asks a stream for its usage", () => {
    expect(
      JSON.parse(upstreamBody({ model: "auto", messages: [], stream: true, stream_options: { x: 1 } }, "m")),
    ).toEqual({
      model: "m",
      messages: [],
      stream: true,
      stream_options: { x: 1, include_usage: true },
    });
    expect(JSON.parse(upstreamBody({ model: "auto", messages: [] }, "m"))).toEqual({
      model: "m",
      messages: [],
    });
  });

  it("reads usage and output from responses and chunks", () => {
    expect(usageOf({ usage: { prompt_tokens: 3, completion_tokens: 4 } })).toEqual({
      tokensIn: 3,
      tokensOut: 4,
    });
    expect(usageOf({ usage: { prompt_tokens: "3" } })).toBeUndefined();
    expect(usageOf(null)).toBeUndefined();
    expect(producesOutput({ choices: [{ delta: { content: "a" } }] })).toBe(true);
    expect(producesOutput({ choices: [{ delta: { tool_calls: [{ index: 0 }] } }] })).toBe(true);
    expect(producesOutput({ choices: [{ delta: { role: "assistant", content: "" } }] })).toBe(false);
    expect(producesOutput({ choices: [] })).toBe(false);
  });
});
