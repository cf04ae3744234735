import { randomBytes } from 'node:crypto';

// Every test file runs with NODE_ENV=test; each app gets its own database and Redis prefix (see test-app.ts).
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = 'silent';
// No secret is written in the repository, not even for tests: each test process makes its own.
process.env.JWT_SECRET ??= randomBytes(32).toString('hex');
