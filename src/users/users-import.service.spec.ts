import type { AuthUser } from '../common/auth/auth-user';
import type { TransactionService } from '../common/database/transaction.service';
import type { Env } from '../config/env';
import type { ImportsService } from '../imports/imports.service';
import type { OrgUnitsService } from '../org-units/org-units.service';
import { hashPassword } from '../common/auth/passwords';
import { UsersImportService } from './users-import.service';

jest.mock('../common/auth/passwords', () => ({ hashPassword: jest.fn() }));

describe('UsersImportService', () => {
  it('hashes at most two passwords at a time, so an import leaves argon2 threads for logins', async () => {
    let running = 0;
    let most = 0;
    jest.mocked(hashPassword).mockImplementation(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return '$argon2id$stub';
    });
    const tx = {
      manager: { getRepository: () => ({ find: () => Promise.resolve([]) }) },
      run: () => Promise.resolve({}),
    } as unknown as TransactionService;
    const orgUnits = {
      listSubtree: () => Promise.resolve([{ id: 'unit-1', name: '甲一镇', code: null }]),
    } as unknown as OrgUnitsService;
    const file = Buffer.from(
      `username,displayName,orgUnit\n${Array.from({ length: 12 }, (_, i) => `u${i},学员${i},甲一镇`).join('\n')}\n`,
    );

    const imports = {} as ImportsService;
    const env = { IMPORT_ASYNC_ROWS: 200 } as Env;

    await new UsersImportService(tx, orgUnits, imports, env).import({ orgPath: '/1/' } as AuthUser, file, false);

    expect(jest.mocked(hashPassword)).toHaveBeenCalledTimes(12);
    expect(most).toBe(2);
  });
});
