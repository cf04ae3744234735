import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository's templates/pages folder, found from here both under ts (src/) and compiled (dist/src/). */
export function pagesDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'templates', 'pages');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`templates/pages not found above ${__dirname}`);
  }
}
