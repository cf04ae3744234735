import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import * as fontkit from 'fontkit';
import { loadEnv } from '../config/env';
import { prepareFontArgs, preparedFontPath } from '../common/pdf/pdf-font';

/** Pythons that may have fontTools: Debian's (`python3-fonttools`) first, then whatever is on PATH. */
const PYTHONS = ['/usr/bin/python3', 'python3'];

function pythonWithFontTools(): string | undefined {
  return PYTHONS.find((py) => spawnSync(py, ['-c', 'import fontTools'], { stdio: 'ignore' }).status === 0);
}

/** Which face of a collection has the PostScript name `name` (0 for a single font). */
function faceNumber(file: string, name: string): number {
  const opened = fontkit.openSync(file);
  if (!('fonts' in opened)) return 0;
  const index = opened.fonts.findIndex((f) => f.postscriptName === name);
  if (index < 0) throw new Error(`${file} has no face named ${name}`);
  return index;
}

/**
 * `npm run fonts:prepare`: writes the prepared font PDFs use when it is there (see
 * src/common/pdf/pdf-font.ts), about 20–35 s of fontTools once. Needs Debian's
 * `python3-fonttools` (or fontTools for any python3). Written beside its final name and renamed,
 * so a running API never reads half a font.
 */
export function prepareFont(): string {
  const logger = new Logger('PrepareFont');
  const env = loadEnv();
  const output = preparedFontPath(env);
  const python = pythonWithFontTools();
  if (!python) throw new Error('fontTools not found: apt-get install python3-fonttools (or pip install fonttools)');
  const face = faceNumber(env.PDF_FONT_PATH, env.PDF_FONT_NAME);
  mkdirSync(dirname(output), { recursive: true });
  const partial = `${output}.partial-${process.pid}`;
  logger.log(`Preparing ${env.PDF_FONT_NAME} (face ${face} of ${env.PDF_FONT_PATH}) into ${output}`);
  try {
    execFileSync(python, prepareFontArgs(env.PDF_FONT_PATH, face, partial), { stdio: 'inherit' });
    renameSync(partial, output);
  } finally {
    rmSync(partial, { force: true });
  }
  logger.log(`Done: PDFs use ${output} from now on`);
  return output;
}

if (require.main === module) {
  try {
    prepareFont();
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
}
