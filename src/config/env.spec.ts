import { jwtSecret, publicBaseUrl, reminderOffsetsMs, trustProxy, validateEnv } from './env';

describe('validateEnv', () => {
  it('applies the documented defaults', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/lms',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: 3000,
      TZ_DEFAULT: 'Asia/Shanghai',
    });
  });

  it('has no default secret: the API needs JWT_SECRET in every environment', () => {
    for (const NODE_ENV of ['development', 'test', 'production']) {
      const env = validateEnv({ NODE_ENV });
      expect(env.JWT_SECRET).toBeUndefined();
      expect(() => jwtSecret(env)).toThrow(/JWT_SECRET is required/);
      expect(() => validateEnv({ NODE_ENV }, { api: true })).toThrow(/JWT_SECRET is required/);
    }
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
        LOGIN_BACKOFF_SECONDS: 'soon',
      });
    } catch (e) {
      message = (e as Error).message;
    }
    for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'TZ_DEFAULT', 'NODE_ENV', 'LOGIN_BACKOFF_SECONDS']) {
      expect(message).toContain(name);
    }
  });

  it('requires a long JWT_SECRET for the API', () => {
    expect(() => validateEnv({ NODE_ENV: 'production' }, { api: true })).toThrow(/JWT_SECRET is required/);
    expect(() => validateEnv({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/at least 32/);
    const env = validateEnv({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) });
    expect(jwtSecret(env)).toBe('x'.repeat(40));
  });

  it('takes PUBLIC_BASE_URL as an http(s) address, required for the API in production only', () => {
    expect(publicBaseUrl(validateEnv({ PORT: '8080' }))).toBe('http://localhost:8080');
    expect(publicBaseUrl(validateEnv({ PUBLIC_BASE_URL: 'https://lms.example.org/county' }))).toBe(
      'https://lms.example.org/county',
    );
    for (const bad of ['lms.example.org', 'https://lms.example.org/', 'ftp://x', 'https://a b']) {
      expect(() => validateEnv({ PUBLIC_BASE_URL: bad })).toThrow(/PUBLIC_BASE_URL/);
    }
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) };
    expect(() => validateEnv(production, { api: true })).toThrow(/PUBLIC_BASE_URL is required/);
    expect(() => validateEnv(production)).not.toThrow();
  });

  it('checks the message settings: SMS provider chosen in production, gateway complete, offsets and schedule readable', () => {
    expect(() => validateEnv({ NODE_ENV: 'production' }, { messaging: true })).toThrow(/SMS_PROVIDER is required/);
    expect(() => validateEnv({ NODE_ENV: 'production', SMS_PROVIDER: 'log' }, { messaging: true })).toThrow(
      /PUBLIC_BASE_URL is required/,
    );
    expect(
      validateEnv(
        { NODE_ENV: 'production', SMS_PROVIDER: 'log', PUBLIC_BASE_URL: 'https://lms.example.org' },
        { messaging: true },
      ).SMS_PROVIDER,
    ).toBe('log');
    expect(validateEnv({}, { messaging: true }).SMS_PROVIDER).toBe('log');
    expect(() => validateEnv({ SMS_PROVIDER: 'http' })).toThrow(/needs SMS_HTTP_URL and SMS_HTTP_SECRET/);
    expect(() => validateEnv({ REMINDER_OFFSETS_MINUTES: '1440,soon' })).toThrow(/REMINDER_OFFSETS_MINUTES/);
    expect(() => validateEnv({ REMINDER_OFFSETS_MINUTES: '0' })).toThrow(/at least one offset/);
    expect(() => validateEnv({ ROTATION_REMINDER_CRON: '61 * * * *' })).toThrow(/ROTATION_REMINDER_CRON/);
    expect(() => validateEnv({ QUIET_HOURS: '9pm-8am' })).toThrow(/QUIET_HOURS/);
    expect(reminderOffsetsMs(validateEnv({ REMINDER_OFFSETS_MINUTES: '120, 1440, 120, 0.05' }))).toEqual([
      86_400_000, 7_200_000, 3_000,
    ]);
  });

  it('treats empty strings as unset', () => {
    expect(validateEnv({ PORT: '' }).PORT).toBe(3000);
  });

  it('keeps an empty QUIET_HOURS: no quiet hours (left out: 21:00-08:00)', () => {
    expect(validateEnv({ QUIET_HOURS: '' }).QUIET_HOURS).toBe('');
    expect(validateEnv({}).QUIET_HOURS).toBe('21:00-08:00');
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
