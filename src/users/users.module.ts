import { Module } from '@nestjs/common';
import { ImportsModule } from '../imports/imports.module';
import { OrgUnitsModule } from '../org-units/org-units.module';
import { UsersImportService } from './users-import.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [OrgUnitsModule, ImportsModule],
  controllers: [UsersController],
  providers: [UsersService, UsersImportService],
  exports: [UsersService, UsersImportService],
})
export class UsersModule {}
