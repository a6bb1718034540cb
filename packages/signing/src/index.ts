export { isSigningError, SigningError, type SigningErrorCode } from "./errors.js";
export {
  createKeyFiles,
  type KeyPairFiles,
  keysDir,
  type ListedKey,
  type LoadedKey,
  listKeyFiles,
  loadPrivateKey,
} from "./key-files.js";
export { PUBLIC_KEY_PATTERN, parsePublicKey, publicKeyText } from "./public-key.js";
export { SIGNATURE_PATTERN, signMessage, verifyMessage } from "./signature.js";
