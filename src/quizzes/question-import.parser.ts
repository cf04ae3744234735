import { ImportFileError, readTable, tooManyRows } from '../common/spreadsheet/table-reader';
import type { QuestionType } from './grading';
import type { OptionInput, QuestionInput, QuestionProblem } from './question-rules';

export const MAX_QUESTION_IMPORT_ROWS = 2000;
const LIMITS = { maxRows: MAX_QUESTION_IMPORT_ROWS, maxLines: MAX_QUESTION_IMPORT_ROWS + 1000, maxColumns: 50 };

const LETTERS = 'ABCDEFGHIJ';

/** The columns of a question file, by our names; `option0`…`option9` are options A…J. */
export type QuestionColumn =
  'category' | 'type' | 'prompt' | 'points' | 'answer' | 'tolerance' | 'toleranceType' | 'feedback' | `option${number}`;

function normaliseHeader(h: string): string {
  return h
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_\-.:：()（）*]/g, '');
}

const HEADER_ALIASES: Record<string, string[]> = {
  category: ['category', '分类', '类别', '题目分类', '知识点'],
  type: ['type', 'questiontype', '题型', '类型', '题目类型'],
  prompt: ['prompt', 'question', 'stem', '题干', '题目', '问题', '试题'],
  points: ['points', 'score', 'mark', 'marks', '分值', '分数', '得分'],
  answer: ['answer', 'answers', 'correctanswer', '答案', '正确答案', '参考答案', '标准答案'],
  tolerance: ['tolerance', '误差', '允许误差', '误差范围'],
  toleranceType: ['tolerancetype', '误差类型'],
  feedback: ['feedback', 'explanation', '解析', '答案解析', '说明', '反馈'],
};
for (let i = 0; i < LETTERS.length; i++) {
  const letter = LETTERS[i];
  HEADER_ALIASES[`option${i}`] = [`选项${letter}`, `option${letter}`, `选项${i + 1}`, `option${i + 1}`, letter];
}

const HEADER_LOOKUP = new Map<string, QuestionColumn>(
  Object.entries(HEADER_ALIASES).flatMap(([column, aliases]) =>
    aliases.map((a) => [normaliseHeader(a), column as QuestionColumn] as const),
  ),
);

const TYPE_WORDS = new Map<string, QuestionType>(
  Object.entries<QuestionType>({
    single: 'single',
    singlechoice: 'single',
    单选: 'single',
    单选题: 'single',
    单项选择: 'single',
    单项选择题: 'single',
    multiple: 'multiple',
    multiplechoice: 'multiple',
    多选: 'multiple',
    多选题: 'multiple',
    多项选择: 'multiple',
    多项选择题: 'multiple',
    truefalse: 'truefalse',
    'true/false': 'truefalse',
    判断: 'truefalse',
    判断题: 'truefalse',
    是非题: 'truefalse',
    short: 'short',
    shortanswer: 'short',
    简答: 'short',
    简答题: 'short',
    填空: 'short',
    填空题: 'short',
    numerical: 'numerical',
    numeric: 'numerical',
    数值: 'numerical',
    数值题: 'numerical',
    计算: 'numerical',
    计算题: 'numerical',
  }),
);

const TRUE_FALSE_WORDS = new Map<string, boolean>([
  ...['对', '正确', '√', '✓', '✔', '是', 'true', 't', 'yes', 'y'].map((w) => [w, true] as const),
  ...['错', '错误', '×', '✗', '✘', '否', 'false', 'f', 'no', 'n'].map((w) => [w, false] as const),
]);

const TOLERANCE_WORDS = new Map<string, string>([
  ['绝对', 'absolute'],
  ['绝对误差', 'absolute'],
  ['absolute', 'absolute'],
  ['相对', 'relative'],
  ['相对误差', 'relative'],
  ['relative', 'relative'],
]);

/** A question type as a spreadsheet names it (单选, 多选题, 判断, 简答 or 填空, 数值, or the English names). */
export function questionTypeFrom(value: string): QuestionType | undefined {
  return TYPE_WORDS.get(value.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ''));
}

/** 对/错, 正确/错误, √/×, 是/否, true/false. */
export function trueFalseFrom(value: string): boolean | undefined {
  return TRUE_FALSE_WORDS.get(value.normalize('NFKC').trim().toLowerCase());
}

/** "ACD", "A,C,D", "a、c" → option indexes [0, 2, 3]; undefined when it holds anything but letters A–J. */
export function letterIndexes(value: string): number[] | undefined {
  const letters = value
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s,;，；、/]/g, '');
  if (letters === '' || ![...letters].every((l) => LETTERS.includes(l))) return undefined;
  return [...new Set([...letters].map((l) => LETTERS.indexOf(l)))].sort((a, b) => a - b);
}

/** Short answers written in one cell: separated by |, ；, ; (or full-width ｜). */
export function splitAnswers(value: string): string[] {
  return value
    .normalize('NFKC')
    .split(/[|;；]/)
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

/** One data row of a question file: the question as written, or the problems found reading the row itself. */
export interface QuestionRow {
  row: number;
  input: QuestionInput;
  /** Problems of the row's own form (a letter without its option, an unknown type word). */
  problems: (QuestionProblem & { value?: string })[];
  /** The option columns (0 for A) the row filled, in order: `options.N` of the question is column N here. */
  optionColumns: number[];
}

/** The row's text under each column of ours. */
type Cells = Partial<Record<QuestionColumn, string>>;

function rowInput(cells: Cells, row: number): QuestionRow {
  const problems: QuestionRow['problems'] = [];
  const typeText = cells.type ?? '';
  const type = questionTypeFrom(typeText);
  if (typeText !== '' && !type) problems.push({ field: 'type', reason: 'invalid', value: typeText });
  const input: QuestionInput = {
    type: type ?? '',
    category: cells.category ?? '',
    prompt: cells.prompt ?? '',
    points: cells.points ?? '1',
    feedback: cells.feedback ?? null,
  };
  const optionColumns: number[] = [];
  const options: OptionInput[] = [];
  for (let i = 0; i < LETTERS.length; i++) {
    const text = cells[`option${i}`];
    if (text === undefined) continue;
    optionColumns.push(i);
    options.push({ text, correct: false });
  }
  if (options.length > 0) input.options = options;
  if (cells.tolerance !== undefined) input.tolerance = cells.tolerance;
  if (cells.toleranceType !== undefined) {
    input.toleranceType = TOLERANCE_WORDS.get(cells.toleranceType.normalize('NFKC').trim().toLowerCase());
    if (!input.toleranceType) problems.push({ field: 'toleranceType', reason: 'invalid', value: cells.toleranceType });
  }
  const answer = cells.answer;
  if (type && answer !== undefined) {
    switch (type) {
      case 'single':
      case 'multiple': {
        const indexes = letterIndexes(answer);
        if (!indexes || indexes.some((i) => !optionColumns.includes(i))) {
          problems.push({ field: 'answer', reason: 'invalid', value: answer });
        } else {
          for (const i of indexes) options[optionColumns.indexOf(i)].correct = true;
        }
        break;
      }
      case 'truefalse': {
        const correct = trueFalseFrom(answer);
        if (correct === undefined) problems.push({ field: 'answer', reason: 'invalid', value: answer });
        else input.correct = correct;
        break;
      }
      case 'short':
        input.answers = splitAnswers(answer);
        break;
      case 'numerical':
        input.answer = answer;
        break;
    }
  }
  return { row, input, problems, optionColumns };
}

/**
 * Reads a CSV or XLSX of questions, one row per question, headers in Chinese or English
 * (unknown columns are ignored); blank rows are skipped. A type word or an answer that cannot
 * be read is a problem of its row; the question itself is checked by `checkQuestion`.
 */
export async function parseQuestionImport(
  buffer: Buffer,
): Promise<{ rows: QuestionRow[]; headers: Map<string, string> }> {
  const table = readTable(buffer, LIMITS);
  let columns: (QuestionColumn | undefined)[] | undefined;
  const rows: QuestionRow[] = [];
  /** Each column of ours with its header as the file writes it: what row errors name. */
  const headers = new Map<string, string>();
  for await (const { row, cells } of table) {
    if (columns === undefined) {
      columns = row === 1 ? cells.map((h) => HEADER_LOOKUP.get(normaliseHeader(h))) : [];
      checkHeader(columns);
      columns.forEach((column, i) => {
        if (column && !headers.has(column)) headers.set(column, cells[i].trim());
      });
      continue;
    }
    if (cells.every((c) => c.trim() === '')) continue;
    const values: Cells = {};
    columns.forEach((column, i) => {
      const value = (cells[i] ?? '').trim();
      if (column && value !== '') values[column] = value;
    });
    rows.push(rowInput(values, row));
    if (rows.length > MAX_QUESTION_IMPORT_ROWS) throw tooManyRows(MAX_QUESTION_IMPORT_ROWS);
  }
  checkHeader(columns ?? []);
  return { rows, headers };
}

function checkHeader(columns: (QuestionColumn | undefined)[]): void {
  if (!columns.includes('type') || !columns.includes('prompt') || !columns.includes('category')) {
    throw new ImportFileError(
      'The first row must name the columns: at least category (分类), type (题型) and prompt (题干)',
      'questionHeader',
    );
  }
}

/**
 * The column of the file a problem of `checkQuestion` is about: `options.1.text` → the row's
 * second filled option column (`option1` for B), and what the answer column decides → answer.
 */
export function columnOf(field: string, reason: string, optionColumns: number[]): string {
  if (reason === 'no_correct_option' || reason === 'one_correct_option') return 'answer';
  // Options on a question of another type: the first option column filled.
  if (field === 'options' && reason === 'not_allowed') return `option${optionColumns[0] ?? 0}`;
  const option = /^options\.(\d+)/.exec(field);
  if (option) return `option${optionColumns[Number(option[1])] ?? 0}`;
  if (field === 'correct' || field.startsWith('answers')) return 'answer';
  return field;
}

/** A column of ours as row errors name it: `option1` → optionB. */
export function columnName(column: string): string {
  const option = /^option(\d+)$/.exec(column);
  return option ? `option${LETTERS[Number(option[1])]}` : column;
}
