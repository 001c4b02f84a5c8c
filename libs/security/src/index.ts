export { deriveKey, type KeyPurpose } from './keys';
export { LinkSigner, type VerifiedLink } from './link-signer';
