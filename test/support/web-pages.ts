import type { Response } from 'supertest';
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
  const home = await http.get('/').set('Cookie', cookie).expect(200);
  return { cookie, csrf: formToken(home.text), location: res.headers.location };
}
