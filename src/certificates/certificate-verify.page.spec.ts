import { throttleSubject } from './certificate-verify-throttle.service';
import { prefersHtml } from './certificate-verify.page';

describe('prefersHtml', () => {
  it.each([
    // Phone browsers, WeChat's included, after scanning a QR code.
    ['text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8', true],
    ['text/html', true],
    ['application/xhtml+xml, */*;q=0.8', true],
    ['TEXT/HTML; charset=utf-8', true],
    ['application/json;q=0.5, text/html', true],
    // API clients and tools.
    [undefined, false],
    ['', false],
    ['*/*', false],
    ['application/json', false],
    ['text/html, application/json', false],
    ['text/html;q=0.5, application/json', false],
    ['text/html;q=0', false],
    ['text/html;q=abc', false],
  ])('%s → %s', (accept, html) => {
    expect(prefersHtml(accept)).toBe(html);
  });
});

describe('throttleSubject', () => {
  it.each([
    ['10.1.2.3', '10.1.2.3'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['2001:db8:7:1::5', '2001:db8:7:1::/64'],
    ['2001:0db8:0007:0001:abcd:0:0:9', '2001:db8:7:1::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('%s counts as %s', (ip, subject) => {
    expect(throttleSubject(ip)).toBe(subject);
  });
});
