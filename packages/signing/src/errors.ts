/** What went wrong with a key, as a value with a code (the CLI prints the message and exits 1 or 2). */
export type SigningErrorCode =
  /** A key file of that name is already there: keys are never overwritten. */
  | "key_exists"
  /** No key file at that path. */
  | "key_not_found"
  /** A private key file that its group or others may read: refused, as ssh refuses one. */
  | "key_permissions"
  /** The file is not an Ed25519 private key (PKCS#8 PEM), or a .pub file is not what keys create writes. */
  | "key_invalid"
  /** Not a public key of the form ed25519:<base64 of 32 bytes>. */
  | "public_key_invalid";

export class SigningError extends Error {
  constructor(
    readonly code: SigningErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SigningError";
  }
}

export const isSigningError = (error: unknown, code?: SigningErrorCode): error is SigningError =>
  error instanceof SigningError && (code === undefined || error.code === code);
