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

/** A page for other roles than the reader's: answered 403 with a page saying whom it is for. */
export class WrongRole extends Error {
  constructor(
    /** `pages` catalogue keys of the refusal page's heading and text. */
    readonly heading: string,
    readonly text: string,
  ) {
    super('Page for another role');
    this.name = 'WrongRole';
  }
}
