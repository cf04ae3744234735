import { jwtSecret, trustProxy, validateEnv } from './env';

describe('validateEnv', () => {
  it('applies the defaults from DESIGN.md', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/lms',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: 3000,
      TZ_DEFAULT: 'Asia/Shanghai',
      REMINDER_OFFSETS_MINUTES: '1440,120',
    });
    expect(jwtSecret(env).length).toBeGreaterThanOrEqual(32);
  });

  it('reads numbers from strings', () => {
    expect(validateEnv({ PORT: '8080', JWT_EXPIRES_IN_SECONDS: '600' })).toMatchObject({
      PORT: 8080,
      JWT_EXPIRES_IN_SECONDS: 600,
    });
  });

  it('names every bad variable at once', () => {
    let message = '';
    try {
      validateEnv({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        REDIS_URL: 'localhost',
        TZ_DEFAULT: 'Mars/Olympus',
        NODE_ENV: 'staging',
        REMINDER_OFFSETS_MINUTES: '1440;120',
      });
    } catch (e) {
      message = (e as Error).message;
    }
    for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'TZ_DEFAULT', 'NODE_ENV', 'REMINDER_OFFSETS_MINUTES']) {
      expect(message).toContain(name);
    }
  });

  it('requires a long JWT_SECRET in production', () => {
    expect(() => validateEnv({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required/);
    expect(() => validateEnv({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/at least 32/);
    const env = validateEnv({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) });
    expect(jwtSecret(env)).toBe('x'.repeat(40));
  });

  it('treats empty strings as unset', () => {
    expect(validateEnv({ PORT: '' }).PORT).toBe(3000);
  });

  it('reads TRUST_PROXY as false, a hop count or a list of proxy addresses', () => {
    expect(trustProxy(validateEnv({}))).toBe(false);
    expect(trustProxy(validateEnv({ TRUST_PROXY: 'false' }))).toBe(false);
    expect(trustProxy(validateEnv({ TRUST_PROXY: '2' }))).toBe(2);
    expect(trustProxy(validateEnv({ TRUST_PROXY: ' 10.0.0.5, 10.1.0.0/16,::1,fd00::/8 , loopback' }))).toEqual([
      '10.0.0.5',
      '10.1.0.0/16',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
  });

  it.each(['true', '0', '-1', '1.5', '10.0.0.300', '10.0.0.0/33', 'lb.internal', '10.0.0.1,'])(
    'refuses TRUST_PROXY=%s, naming the variable',
    (value) => {
      expect(() => validateEnv({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
    },
  );
});
