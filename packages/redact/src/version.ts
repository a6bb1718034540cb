/** Version of this redactor, reported as `redactorVersion`; kept equal to package.json by a test. */
export const redactorVersion = "0.1.0";
