import { Module } from '@nestjs/common';
import { PersonTimesModule } from '../attendance/person-times.module';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

@Module({ imports: [PersonTimesModule], controllers: [ReportsController], providers: [ReportsService] })
export class ReportsModule {}
