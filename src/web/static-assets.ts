import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzipSync } from 'node:zlib';
import { Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Encoding, pickEncoding } from './encoding';
import { pagesDir } from './pages-dir';

const brotli = promisify(brotliCompress);

/** Files from packages, by the name pages know them by. */
const PACKAGE_FILES: Record<string, () => string> = {
  'weui.css': () => require.resolve('weui/dist/style/weui.min.css'),
};

/** The stylesheets every page links, in order: WeUI's, then ours over it. */
const STYLESHEETS = ['weui.css', 'app.css'];

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Asset {
  type: string;
  identity: Buffer;
  gzip: Buffer;
  br?: Buffer;
  /** The brotli version being made (once, on the first request that accepts it). */
  making?: Promise<void>;
}

/**
 * The pages' static files: templates/pages/static/ (our stylesheet and scripts) and
 * PACKAGE_FILES (WeUI's stylesheet), served under /static/ with the first 8 hex digits
 * of their SHA-256 in the name (`/static/app.3f9a1c2b.css`): a changed file is a new address, so
 * each may be cached for a year as immutable. Read once at start-up and kept in memory with
 * their gzip (made at start-up, ~15 ms for WeUI's 180 KB) and brotli versions (quality 11
 * takes ~0.5 s of CPU for WeUI's, so it is made in the background on the first request
 * that accepts it; gzip is served until it is ready). Nothing comes from another origin.
 */
@Injectable()
export class StaticAssets {
  private readonly logger = new Logger(StaticAssets.name);
  private readonly byName = new Map<string, Asset>();
  /** Address by plain name: `app.css` → `/static/app.3f9a1c2b.css`. */
  private readonly hrefs = new Map<string, string>();
  /** The stylesheets' addresses, for the pages' `<link>`s. */
  readonly stylesheets: readonly string[];

  constructor() {
    const dir = path.join(pagesDir(), 'static');
    const files: [string, string][] = [
      ...Object.entries(PACKAGE_FILES).map(([name, file]): [string, string] => [name, file()]),
      ...readdirSync(dir)
        .filter((name) => TYPES[path.extname(name)])
        .map((name): [string, string] => [name, path.join(dir, name)]),
    ];
    for (const [plain, file] of files) {
      const identity = readFileSync(file);
      const hash = createHash('sha256').update(identity).digest('hex').slice(0, 8);
      const ext = path.extname(plain);
      const name = `${path.basename(plain, ext)}.${hash}${ext}`;
      this.byName.set(name, { type: TYPES[ext], identity, gzip: gzipSync(identity, { level: 9 }) });
      this.hrefs.set(plain, `/static/${name}`);
    }
    this.stylesheets = STYLESHEETS.map((name) => this.href(name));
  }

  /** The address of a static file by its plain name (`quiz.js`); throws for a file there is not. */
  href(plain: string): string {
    const href = this.hrefs.get(plain);
    if (!href) throw new Error(`No static file ${plain} in templates/pages/static/ or PACKAGE_FILES`);
    return href;
  }

  /** Answers GET /static/:name: the file in the best encoding the client takes, or 404. */
  serve(request: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply): void {
    const asset = this.byName.get(request.params.name);
    if (!asset) {
      void reply.code(404).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('Not found');
      return;
    }
    const accepts = request.headers['accept-encoding'];
    if (!asset.br && pickEncoding(accepts, ['br'])) this.makeBrotli(asset);
    const encoding = pickEncoding(accepts, asset.br ? ['br', 'gzip'] : ['gzip']);
    void reply
      .header('content-type', asset.type)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('vary', 'Accept-Encoding');
    if (encoding) void reply.header('content-encoding', encoding);
    void reply.send(this.body(asset, encoding));
  }

  private body(asset: Asset, encoding: Encoding | undefined): Buffer {
    if (encoding === 'br' && asset.br) return asset.br;
    if (encoding === 'gzip') return asset.gzip;
    return asset.identity;
  }

  private makeBrotli(asset: Asset): void {
    asset.making ??= brotli(asset.identity, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: asset.identity.length },
    }).then(
      (br) => {
        asset.br = br;
      },
      (err: unknown) => this.logger.warn({ err, msg: 'Could not make the brotli version of a static file' }),
    );
  }
}
