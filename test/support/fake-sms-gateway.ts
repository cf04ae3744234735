import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST the gateway received, with whether its signature was right. */
export interface SmsRequest {
  idempotencyKey: string | undefined;
  signatureValid: boolean;
  body: { id: string; phone: string; text: string };
  /** Answers it (200 unless told otherwise); until then the sender waits. */
  respond(status?: number): void;
  /** True once the sender hung up before being answered (e.g. its process was killed). */
  aborted: boolean;
}

/**
 * The far side of SMS_PROVIDER=http: a local HTTP server that checks X-Signature (HMAC-SHA256
 * of "<X-Timestamp>.<body>" with the secret) and lets the test decide when and how each
 * request is answered: `handle` is called per request; by default it answers 200 at once.
 */
export interface FakeSmsGateway {
  url: string;
  secret: string;
  requests: SmsRequest[];
  handle: (req: SmsRequest) => void;
  close(): Promise<void>;
}

export async function startFakeSmsGateway(
  secret = 'test-sms-secret-0123456789abcdef0123456789',
): Promise<FakeSmsGateway> {
  const gateway: FakeSmsGateway = {
    url: '',
    secret,
    requests: [],
    handle: (r) => r.respond(200),
    close: async () => undefined,
  };
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const timestamp = String(req.headers['x-timestamp'] ?? '');
      const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex')}`;
      const given = String(req.headers['x-signature'] ?? '');
      const signatureValid =
        given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
      open.add(res);
      const entry: SmsRequest = {
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        signatureValid,
        body: JSON.parse(raw) as SmsRequest['body'],
        aborted: false,
        respond: (status = 200) => {
          if (res.writableEnded || res.destroyed) return;
          open.delete(res);
          res.writeHead(signatureValid ? status : 401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: signatureValid && status < 300 }));
        },
      };
      res.on('close', () => {
        if (!res.writableEnded) entry.aborted = true;
        open.delete(res);
      });
      gateway.requests.push(entry);
      gateway.handle(entry);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  gateway.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  gateway.close = () =>
    new Promise<void>((done) => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      server.close(() => done());
    });
  return gateway;
}
