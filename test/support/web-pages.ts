import type { Response, Test } from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { PASSWORD } from '../factories';

/** A browser's view of one Set-Cookie: its value and attributes. */
export interface SetCookie {
  value: string;
  attributes: string[];
}

/** The cookies an answer sets, by name. */
export function setCookies(res: Response): Record<string, SetCookie> {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  const out: Record<string, SetCookie> = {};
  for (const line of raw ?? []) {
    const [pair, ...attributes] = line.split(';').map((p) => p.trim());
    const [name, ...value] = pair.split('=');
    out[name] = { value: value.join('='), attributes };
  }
  return out;
}

/** The `_csrf` token of the first form of a page. */
export function formToken(html: string): string {
  const match = /name="_csrf" value="([^"]*)"/.exec(html);
  if (!match) throw new Error(`No form token in the page:\n${html.slice(0, 2000)}`);
  return match[1];
}

/** What a signed-in browser sends: its session cookie, and a form token of its session. */
export interface Browser {
  cookie: string;
  csrf: string;
  /** Where the sign-in sent it. */
  location: string;
}

/** The login form as a browser first sees it: its cookie and token. */
export async function openLogin(http: TestAgent, path = '/login'): Promise<{ cookie: string; csrf: string }> {
  const res = await http.get(path).set('Accept', 'text/html').expect(200);
  return { cookie: `lms_form=${setCookies(res).lms_form.value}`, csrf: formToken(res.text) };
}

/** Signs in through the login page, as a browser would; `next` as it would be in the address. */
export async function signInPage(
  http: TestAgent,
  username: string,
  options: { password?: string; next?: string } = {},
): Promise<Browser> {
  const path = options.next ? `/login?next=${encodeURIComponent(options.next)}` : '/login';
  const form = await openLogin(http, path);
  const res = await http
    .post(path)
    .set('Cookie', form.cookie)
    .type('form')
    .send({ username, password: options.password ?? PASSWORD, _csrf: form.csrf });
  if (res.status !== 303) throw new Error(`sign-in failed for ${username}: ${res.status}\n${res.text}`);
  const cookie = `lms_session=${setCookies(res).lms_session.value}`;
  // Admins' home is the console (/ answers 303 to /console); the session's token is on every page, /me too.
  let home = await http.get('/').set('Cookie', cookie);
  if (home.status === 303) home = await http.get('/me').set('Cookie', cookie);
  if (home.status !== 200) throw new Error(`home after sign-in answered ${home.status} for ${username}`);
  return { cookie, csrf: formToken(home.text), location: res.headers.location };
}

/** Who sends a request: a signed-in browser, or just the Cookie header it would send. */
export type Sender = Browser | string;

const cookieOf = (who: Sender): string => (typeof who === 'string' ? who : who.cookie);

/** A page as a browser asks for it: its cookies, HTML accepted. */
export function getPage(http: TestAgent, who: Sender, path: string): Test {
  return http.get(path).set('Cookie', cookieOf(who)).set('Accept', 'text/html');
}

/** A form as a browser posts it: its cookies and exactly these fields (no form token added; see `submitForm`). */
export function postForm(http: TestAgent, who: Sender, path: string, fields: Record<string, string> = {}): Test {
  return http.post(path).set('Cookie', cookieOf(who)).type('form').send(fields);
}

/** A form of a signed-in browser's page, posted with its session's form token. */
export function submitForm(http: TestAgent, b: Browser, path: string, fields: Record<string, string> = {}): Test {
  return postForm(http, b, path, { _csrf: b.csrf, ...fields });
}

/** What a page's script sends: its cookies, JSON accepted, the session's form token in X-CSRF-Token. */
export function scriptRequest(http: TestAgent, b: Browser, method: 'get' | 'put' | 'post', path: string): Test {
  return http[method](path).set('Cookie', b.cookie).set('Accept', 'application/json').set('X-CSRF-Token', b.csrf);
}

/** The visible text of a page (its HTML, or an answer), tags dropped, `&quot;` undone and spaces squeezed. */
export function pageText(page: string | { text: string }): string {
  const html = typeof page === 'string' ? page : page.text;
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ');
}
