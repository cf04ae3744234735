import { Module } from '@nestjs/common';
import { PersonTimesModule } from '../attendance/person-times.module';
import { OrgUnitsModule } from '../org-units/org-units.module';
import { PlansController } from './plans.controller';
import { PlansService } from './plans.service';

@Module({
  imports: [OrgUnitsModule, PersonTimesModule],
  controllers: [PlansController],
  providers: [PlansService],
  exports: [PlansService],
})
export class PlansModule {}
