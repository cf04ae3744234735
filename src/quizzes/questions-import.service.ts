import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { DomainError } from '../common/errors/domain-error';
import { ImportFileError } from '../common/spreadsheet/table-reader';
import type { ImportRowProblem } from '../imports/imports.types';
import { columnName, columnOf, parseQuestionImport, type QuestionRow } from './question-import.parser';
import { checkQuestion, type QuestionContent } from './question-rules';
import { QuestionsService } from './questions.service';
import { QuizErrors } from './quizzes.errors';

/** An import's outcome, its row problems not yet put into words. */
export interface QuestionImportResult {
  dryRun: boolean;
  total: number;
  created: number;
  failed: number;
  errors: ImportRowProblem[];
}

/**
 * Imports questions into a course's bank from CSV or XLSX, one row per question. All or
 * nothing: every row is checked first, and the questions are written (in one transaction)
 * only when no row has an error; a dry run checks and writes nothing.
 */
@Injectable()
export class QuestionsImportService {
  constructor(private readonly questions: QuestionsService) {}

  async import(actor: AuthUser, courseId: string, file: Buffer, dryRun: boolean): Promise<QuestionImportResult> {
    if (!(await this.questions.keepsCourse(actor, courseId))) throw QuizErrors.questionInvalid('courseId', 'course');
    let rows: QuestionRow[];
    let headers: Map<string, string>;
    try {
      ({ rows, headers } = await parseQuestionImport(file));
    } catch (e) {
      if (e instanceof ImportFileError) {
        throw new DomainError('IMPORT_INVALID_FILE', 'invalid', {
          key: `IMPORT_INVALID_FILE#${e.reason}`,
          args: e.args,
        });
      }
      throw e;
    }
    const errors: ImportRowProblem[] = [];
    const contents: QuestionContent[] = [];
    for (const { row, input, problems, optionColumns } of rows) {
      const found = problems.map((p) => ({ row, field: p.field, code: p.reason.toUpperCase(), value: p.value }));
      const result = checkQuestion(input, randomUUID);
      if (!result.ok) {
        for (const p of result.problems) {
          const field = columnOf(p.field, p.reason, optionColumns);
          // A problem the row's own reading already named (an unreadable answer) is said once.
          if (!found.some((f) => f.field === field))
            found.push({ row, field, code: p.reason.toUpperCase(), value: undefined });
        }
      }
      if (found.length === 0 && result.ok) contents.push(result.content);
      for (const f of found) {
        // Messages name the column as the file heads it (题干, 选项B), the field by our name.
        const label =
          headers.get(f.field) ?? (f.field === 'options' ? (headers.get('option0') ?? 'options') : columnName(f.field));
        errors.push({ row, field: columnName(f.field), code: f.code, args: { field: label, value: f.value ?? '' } });
      }
    }
    const failed = new Set(errors.map((e) => e.row)).size;
    const created = failed === 0 ? contents.length : 0;
    if (!dryRun && failed === 0 && contents.length > 0) await this.questions.insertMany(actor, courseId, contents);
    return { dryRun, total: rows.length, created, failed, errors };
  }
}
