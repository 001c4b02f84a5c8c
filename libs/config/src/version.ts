// Kept in step with package.json by the release process; read at start, never per request.
export const MERIDIAN_VERSION = '0.1.0';
