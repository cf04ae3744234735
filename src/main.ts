import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { EnvValidationError, loadApiEnv } from './config/env';

/** The API process. */
export async function startApi(): Promise<void> {
  const env = loadApiEnv();
  const app = await createApp(env);
  await app.listen({ port: env.PORT, host: env.HOST });
  new Logger('Main').log(`API listening on http://${env.HOST}:${env.PORT} (docs at /docs)`);
}

if (require.main === module) {
  startApi().catch((e: unknown) => {
    // Config errors are for people: print the list, not a stack.
    process.stderr.write(`${e instanceof EnvValidationError ? e.message : String((e as Error)?.stack ?? e)}\n`);
    process.exit(1);
  });
}
