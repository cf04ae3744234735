import { Module } from '@nestjs/common';
import { PersonTimesModule } from '../attendance/person-times.module';
import { OrgUnitsModule } from '../org-units/org-units.module';
import { ReportFiguresService } from './report-figures.service';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

@Module({
  imports: [PersonTimesModule, OrgUnitsModule],
  controllers: [ReportsController],
  providers: [ReportsService, ReportFiguresService],
  exports: [ReportsService, ReportFiguresService],
})
export class ReportsModule {}
