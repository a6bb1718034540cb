import { StateError } from "./errors.js";

/** Names become file names, so only identifiers: no separators, no "..", no leading dot. */
const STREAM_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function assertStreamName(stream: string): void {
  if (typeof stream === "string" && STREAM_NAME.test(stream)) return;
  throw new StateError(
    "stream_name_invalid",
    `stream name ${JSON.stringify(stream)} is not an identifier matching ${STREAM_NAME.source}`,
    { stream },
  );
}

export const isStreamName = (name: string): boolean => STREAM_NAME.test(name);
