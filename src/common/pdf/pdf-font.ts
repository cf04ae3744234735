import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { Env } from '../../config/env';

/**
 * The prepared font: the configured CJK face (PDF_FONT_PATH, PDF_FONT_NAME) as a single OTF
 * with its subroutines flattened, made once by `npm run fonts:prepare` (fontTools). PDFKit
 * subsets it in under a millisecond per document, where the stock Noto collection takes about
 * 40 ms (its Han fonts carry tens of thousands of local subroutines that are copied whole).
 * Used when present; PDFs fall back to the stock font otherwise (same text, slower).
 *
 * PDF_PREPARED_FONT_PATH names it; by default it lives in the state folder (`LMS_STATE_DIR`,
 * else `$XDG_STATE_HOME/training-lms` or `~/.local/state/training-lms`), under fonts/, named
 * after the stock file and face it was made from (so another PDF_FONT_PATH never picks it up).
 * It is only a faster copy: without the stock font, PDFs answer 503 all the same.
 */
export function preparedFontPath(
  env: Pick<Env, 'PDF_FONT_PATH' | 'PDF_FONT_NAME' | 'PDF_PREPARED_FONT_PATH'>,
  processEnv: NodeJS.ProcessEnv = process.env,
): string {
  if (env.PDF_PREPARED_FONT_PATH) return env.PDF_PREPARED_FONT_PATH;
  const stock = basename(env.PDF_FONT_PATH, extname(env.PDF_FONT_PATH));
  return join(stateDir(processEnv), 'fonts', `${stock}-${env.PDF_FONT_NAME}.otf`);
}

/** The state folder, as src/cli/local-secret.ts finds it (outside the repository). */
function stateDir(env: NodeJS.ProcessEnv): string {
  if (env.LMS_STATE_DIR) return env.LMS_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'training-lms');
}

/** The fontTools command that makes the prepared font from face `fontNumber` of a collection (see STACK notes). */
export function prepareFontArgs(source: string, fontNumber: number, output: string): string[] {
  return [
    '-m',
    'fontTools.subset',
    source,
    `--font-number=${fontNumber}`,
    '--glyphs=*',
    '--unicodes=*',
    '--desubroutinize',
    '--layout-features=*',
    '--name-IDs=*',
    '--name-languages=*',
    '--notdef-outline',
    `--output-file=${output}`,
  ];
}

/** The font PDFs are drawn with: the prepared one when it is there, else the stock one; undefined without the stock one. */
export async function pdfFont(
  env: Pick<Env, 'PDF_FONT_PATH' | 'PDF_FONT_NAME' | 'PDF_PREPARED_FONT_PATH'>,
): Promise<{ path: string; name: string } | undefined> {
  if (!(await readable(env.PDF_FONT_PATH))) return undefined;
  const prepared = preparedFontPath(env);
  return { path: (await readable(prepared)) ? prepared : env.PDF_FONT_PATH, name: env.PDF_FONT_NAME };
}

async function readable(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
