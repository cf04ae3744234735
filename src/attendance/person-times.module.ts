import { Module } from '@nestjs/common';
import { PersonTimesService } from './person-times.service';

/** Person-times for plans and reports; imports nothing, so they can use it without a module cycle. */
@Module({ providers: [PersonTimesService], exports: [PersonTimesService] })
export class PersonTimesModule {}
