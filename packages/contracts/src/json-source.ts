// A strict RFC 8259 scanner over JSON text. JSON.parse builds the value (it is fast and safe with
// `__proto__` keys); this scanner supplies what JSON.parse cannot: where a syntax error is, a nesting
// limit that never recurses, and the line:column of any JSON pointer. It is iterative, so hostile
// nesting cannot overflow the stack.

export interface SourcePosition {
  /** 1-based line. */
  line: number;
  /** 1-based column, in UTF-16 code units. */
  column: number;
}

export type ScanFailure = SourcePosition & {
  code: "json_syntax" | "json_too_deep";
  message: string;
  offset: number;
};

interface Frame {
  array: boolean;
  pointer: string;
  index: number;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters in strings; this finds them.
const stringChunk = /[^"\\\u0000-\u001f]*/y;
const numberToken = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const escapeToken = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/** Escapes one reference token of a JSON pointer (RFC 6901). */
export function escapePointerToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

class Scanner {
  pos = 0;
  readonly want: Set<string> | undefined;
  readonly found = new Map<string, number>();

  constructor(
    readonly text: string,
    readonly maxDepth: number,
    want?: Iterable<string>,
  ) {
    this.want = want ? new Set(want) : undefined;
  }

  fail(code: ScanFailure["code"], message: string, offset = this.pos): never {
    throw Object.assign(new ScanError(message), { code, offset });
  }

  describeHere(): string {
    if (this.pos >= this.text.length) return "end of input";
    const ch = this.text.charAt(this.pos);
    return ch < " " ? `character U+${ch.charCodeAt(0).toString(16).padStart(4, "0")}` : `"${ch}"`;
  }

  skipWhitespace(): void {
    const t = this.text;
    let p = this.pos;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  /** Scans a string starting at the opening quote; returns its raw text (quotes included). */
  scanString(): string {
    const start = this.pos;
    this.pos++;
    for (;;) {
      stringChunk.lastIndex = this.pos;
      stringChunk.exec(this.text);
      this.pos = stringChunk.lastIndex;
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x22) {
        this.pos++;
        return this.text.slice(start, this.pos);
      }
      if (c === 0x5c) {
        escapeToken.lastIndex = this.pos;
        if (!escapeToken.test(this.text)) this.fail("json_syntax", "invalid escape sequence in string");
        this.pos = escapeToken.lastIndex;
        continue;
      }
      if (Number.isNaN(c)) this.fail("json_syntax", "unterminated string", start);
      this.fail("json_syntax", `${this.describeHere()} must be escaped inside a string`);
    }
  }

  /** Records where the value that starts here lives, when its pointer was asked for. */
  mark(pointer: string): void {
    if (this.want?.has(pointer)) this.found.set(pointer, this.pos);
  }

  run(): void {
    const t = this.text;
    const stack: Frame[] = [];
    const tracking = this.want !== undefined && this.want.size > 0;
    let pointer = "";
    this.skipWhitespace();
    for (;;) {
      // Expecting a value whose pointer is `pointer`.
      if (tracking) this.mark(pointer);
      const c = t.charCodeAt(this.pos);
      let opened = false;
      if (c === 0x7b || c === 0x5b) {
        if (stack.length >= this.maxDepth)
          this.fail("json_too_deep", `nesting deeper than ${this.maxDepth} levels (the limit)`);
        const array = c === 0x5b;
        this.pos++;
        this.skipWhitespace();
        const close = array ? 0x5d : 0x7d;
        if (t.charCodeAt(this.pos) === close) {
          this.pos++;
        } else {
          const frame: Frame = { array, pointer, index: 0 };
          stack.push(frame);
          pointer = array ? (tracking ? `${frame.pointer}/0` : "") : this.scanKey(frame);
          opened = true;
        }
      } else if (c === 0x22) {
        this.scanString();
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        numberToken.lastIndex = this.pos;
        if (!numberToken.test(t)) this.fail("json_syntax", "invalid number");
        this.pos = numberToken.lastIndex;
      } else if (t.startsWith("true", this.pos)) this.pos += 4;
      else if (t.startsWith("false", this.pos)) this.pos += 5;
      else if (t.startsWith("null", this.pos)) this.pos += 4;
      else this.fail("json_syntax", `unexpected ${this.describeHere()}, expected a value`);
      if (opened) continue;
      // After a value: close containers or move to the next member.
      for (;;) {
        this.skipWhitespace();
        const frame = stack[stack.length - 1];
        if (!frame) {
          if (this.pos < t.length)
            this.fail("json_syntax", `unexpected ${this.describeHere()} after the JSON value`);
          return;
        }
        const d = t.charCodeAt(this.pos);
        if (d === 0x2c) {
          this.pos++;
          this.skipWhitespace();
          frame.index++;
          pointer = frame.array ? (tracking ? `${frame.pointer}/${frame.index}` : "") : this.scanKey(frame);
          break;
        }
        if (d === (frame.array ? 0x5d : 0x7d)) {
          this.pos++;
          stack.pop();
          continue;
        }
        this.fail(
          "json_syntax",
          `unexpected ${this.describeHere()}, expected "," or "${frame.array ? "]" : "}"}"`,
        );
      }
      this.skipWhitespace();
    }
  }

  /** Scans `"key" :` and returns the member's pointer. */
  scanKey(frame: Frame): string {
    if (this.text.charCodeAt(this.pos) !== 0x22)
      this.fail(
        "json_syntax",
        `unexpected ${this.describeHere()}, expected a property name in double quotes`,
      );
    const raw = this.scanString();
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) !== 0x3a)
      this.fail("json_syntax", `unexpected ${this.describeHere()}, expected ":" after a property name`);
    this.pos++;
    this.skipWhitespace();
    if (this.want === undefined) return "";
    return `${frame.pointer}/${escapePointerToken(JSON.parse(raw) as string)}`;
  }
}

class ScanError extends Error {
  code: ScanFailure["code"] = "json_syntax";
  offset = 0;
}

/** Converts offsets to line:column in one pass over the text. */
export function positionsOf(text: string, offsets: readonly number[]): SourcePosition[] {
  const order = offsets.map((offset, i) => ({ offset, i })).sort((a, b) => a.offset - b.offset);
  const out: SourcePosition[] = new Array(offsets.length);
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  for (const { offset, i } of order) {
    for (; scanned < offset && scanned < text.length; scanned++) {
      if (text.charCodeAt(scanned) === 0x0a) {
        line++;
        lineStart = scanned + 1;
      }
    }
    out[i] = { line, column: offset - lineStart + 1 };
  }
  return out;
}

/** Checks syntax and nesting; returns the failure, or null when the text is one well-formed JSON value. */
export function checkJson(text: string, maxDepth: number): ScanFailure | null {
  const scanner = new Scanner(text, maxDepth);
  try {
    scanner.run();
    return null;
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
    const [where] = positionsOf(text, [error.offset]);
    return { code: error.code, message: error.message, offset: error.offset, ...(where as SourcePosition) };
  }
}

/**
 * Where each pointer's value starts. Pointers that do not resolve are absent from the result.
 * The text must already have passed checkJson.
 */
export function locatePointers(text: string, pointers: Iterable<string>): Map<string, SourcePosition> {
  const scanner = new Scanner(text, Number.POSITIVE_INFINITY, pointers);
  scanner.run();
  const entries = [...scanner.found];
  const positions = positionsOf(
    text,
    entries.map(([, offset]) => offset),
  );
  return new Map(entries.map(([pointer], i) => [pointer, positions[i] as SourcePosition]));
}
