/** The token itself is unacceptable. The reason goes to the log, never to the client. */
export class TokenRejected extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'TokenRejected';
  }
}

/** The token is genuine but names no active user. */
export class UnknownUser extends Error {
  constructor(readonly username: string) {
    super(`no active user "${username}"`);
    this.name = 'UnknownUser';
  }
}

/** The keys could not be obtained (JWKS endpoint down, slow or answering garbage). */
export class KeySourceUnavailable extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'KeySourceUnavailable';
  }
}
