export { deriveKey, type KeyPurpose } from './keys';
export { LinkSigner, type VerifiedLink } from './link-signer';
export {
  MAX_EXPLORE_CONFIG_CHARS,
  PAGES_PREFIX,
  pageLinkPath,
  parsePageLink,
  type PageLink,
  type PageTarget,
} from './page-links';
export { MYSQL_POWERFUL_PRIVILEGES, POSTGRES_POWERFUL_ROLES } from './database-powers';
