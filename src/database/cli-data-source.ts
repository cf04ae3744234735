import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source';

/** Only for the TypeORM CLI (`npm run migration:revert|generate`), against the compiled output. */
export default new DataSource(dataSourceOptions());
