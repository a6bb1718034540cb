// What a hook says on stderr is one line: a runtime shows it to the agent or the user as it is.

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const oneLine = (text: string): string => text.replace(/\s+/g, " ").trim().slice(0, 2000);
