import { Module } from '@nestjs/common';
import { ImportsController } from './imports.controller';
import { ImportsService } from './imports.service';

/**
 * Background imports with progress (`GET /api/imports/:id`). Imports nothing: the modules
 * that own the rows import it and register a handler for their kind, so there is no cycle.
 */
@Module({ controllers: [ImportsController], providers: [ImportsService], exports: [ImportsService] })
export class ImportsModule {}
