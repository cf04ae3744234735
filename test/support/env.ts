// Every test file runs with NODE_ENV=test; each app gets its own database and Redis prefix (see test-app.ts).
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = 'silent';
