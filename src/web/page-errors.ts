/** A page needs a signed-in browser and this one is not: answered by a redirect to the login page. */
export class LoginRequired extends Error {
  constructor() {
    super('Sign-in required');
    this.name = 'LoginRequired';
  }
}

/** A form came without its token, or with another's: answered 403 with a page saying to try again. */
export class CsrfRejected extends Error {
  constructor() {
    super('Form token missing or wrong');
    this.name = 'CsrfRejected';
  }
}
