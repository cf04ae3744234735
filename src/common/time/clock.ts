import { Injectable } from '@nestjs/common';

/**
 * The time services read, so tests can set it (`jest.spyOn(app.get(Clock), 'now')`) instead
 * of depending on the day they run. New code reads `clock.now()`, not `new Date()`.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
