import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user';
import { DomainError } from '../common/errors/domain-error';
import { ImportFileError } from '../common/spreadsheet/table-reader';
import type { ImportRowProblem } from '../imports/imports.types';
import type { OrgUnit } from '../org-units/org-units.types';
import { type EventRow, parseEventImport } from './event-import.parser';
import { EventsService, type NewEvent } from './events.service';

/** An import's outcome, its row problems not yet put into words. */
export interface EventImportResult {
  dryRun: boolean;
  total: number;
  created: number;
  failed: number;
  errors: ImportRowProblem[];
}

/**
 * Imports outreach events from CSV or XLSX, one row per event. All or nothing: every row is
 * checked first, and the events are written (in one transaction) only when no row has an
 * error; a dry run checks and writes nothing.
 */
@Injectable()
export class EventsImportService {
  constructor(private readonly events: EventsService) {}

  async import(actor: AuthUser, file: Buffer, dryRun: boolean): Promise<EventImportResult> {
    let rows: EventRow[];
    let headers: Map<string, string>;
    try {
      ({ rows, headers } = await parseEventImport(file));
    } catch (e) {
      if (e instanceof ImportFileError) {
        throw new DomainError('IMPORT_INVALID_FILE', 'invalid', {
          key: `IMPORT_INVALID_FILE#${e.reason}`,
          args: e.args,
        });
      }
      throw e;
    }
    const findUnit = unitFinder(await this.events.unitsInScope(actor));
    const errors: ImportRowProblem[] = [];
    const events: NewEvent[] = [];
    for (const { row, input, problems } of rows) {
      const found = [...problems];
      let orgUnitId: string | undefined;
      if (input) {
        const unit = findUnit(input.unit);
        if (typeof unit === 'string') found.push({ field: 'unit', code: unit, value: input.unit });
        else orgUnitId = unit.id;
      }
      for (const p of found) {
        errors.push({
          row,
          field: p.field,
          code: p.code,
          args: { field: headers.get(p.field) ?? p.field, value: p.value ?? '' },
        });
      }
      if (found.length === 0 && input && orgUnitId) {
        const { unit: _unit, ...event } = input;
        events.push({ ...event, orgUnitId });
      }
    }
    const failed = new Set(errors.map((e) => e.row)).size;
    const created = failed === 0 ? events.length : 0;
    if (!dryRun && failed === 0 && events.length > 0) await this.events.insertMany(actor, events);
    return { dryRun, total: rows.length, created, failed, errors };
  }
}

/** A unit of the scope by its code (case-insensitive) or else its name; a row error code when none or several. */
function unitFinder(units: OrgUnit[]): (text: string) => OrgUnit | 'NOT_FOUND' | 'AMBIGUOUS' {
  const byCode = new Map(units.filter((u) => u.code).map((u) => [u.code!.toLowerCase(), u]));
  const byName = new Map<string, OrgUnit[]>();
  for (const u of units) byName.set(u.name, [...(byName.get(u.name) ?? []), u]);
  return (text) => {
    const byItsCode = byCode.get(text.toLowerCase());
    if (byItsCode) return byItsCode;
    const named = byName.get(text) ?? [];
    if (named.length === 1) return named[0];
    return named.length === 0 ? 'NOT_FOUND' : 'AMBIGUOUS';
  };
}
