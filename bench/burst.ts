import type { Measurement } from './harness';

export interface BurstRequest {
  url: string;
  method: 'POST' | 'GET' | 'PUT';
  headers?: Record<string, string>;
  body?: string;
}

/** Milliseconds to 0.1 ms: check-ins take a few ms, so whole ms would blur their ratios. */
export const round = (ms: number): number => Math.round(ms * 10) / 10;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Fires every request at once (no pacing) and waits for all: the "N simultaneous
 * requests" kind of load, which autocannon's steady connections do not model. With
 * `spreadMs`, request i of n starts at i/n of that time instead (an arrival rate, e.g.
 * 500 trainees checking in over 10 s); latency is measured from each request's start.
 */
export async function burst(
  requests: BurstRequest[],
  isOk: (status: number) => boolean = (s) => s >= 200 && s < 300,
  spreadMs = 0,
): Promise<{ measurement: Measurement; statuses: number[]; bodies: string[] }> {
  const started = performance.now();
  const outcomes = await Promise.all(
    requests.map(async (r, i) => {
      if (spreadMs > 0) await new Promise((resolve) => setTimeout(resolve, (i / requests.length) * spreadMs));
      const t0 = performance.now();
      try {
        const res = await fetch(r.url, {
          method: r.method,
          headers: r.headers,
          body: r.body,
          signal: AbortSignal.timeout(60_000),
        });
        const body = await res.text();
        return { status: res.status, body, ms: performance.now() - t0, error: false };
      } catch {
        return { status: 0, body: '', ms: performance.now() - t0, error: true };
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const latencies = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  return {
    statuses: outcomes.map((o) => o.status),
    bodies: outcomes.map((o) => o.body),
    measurement: {
      rps: requests.length / seconds,
      p50: round(percentile(latencies, 50)),
      p90: round(percentile(latencies, 90)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies[latencies.length - 1] ?? 0),
      requests: requests.length,
      durationSeconds: seconds,
      non2xx: outcomes.filter((o) => !o.error && !isOk(o.status)).length,
      errors: outcomes.filter((o) => o.error).length,
      timeouts: 0,
      mismatches: 0,
      // Filled in by `measured`, which knows the server.
      cpuMsPerRequest: 0,
    },
  };
}

/** Latency figures of requests made one at a time (`ms` each) and the server's CPU over them, as a Measurement. */
export function pacedMeasurement(ms: number[], cpuMs = 0): Measurement {
  const sorted = [...ms].sort((a, b) => a - b);
  const seconds = ms.reduce((a, b) => a + b, 0) / 1000;
  return {
    rps: seconds ? ms.length / seconds : 0,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? 0),
    requests: ms.length,
    durationSeconds: seconds,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    mismatches: 0,
    cpuMsPerRequest: ms.length ? cpuMs / ms.length : 0,
  };
}
