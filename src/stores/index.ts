import type { Database } from '../neo4j/database.js';
import { CompanyStore } from './companyStore.js';
import { DealStore } from './dealStore.js';

/** Every store, built once per process around the one Database. */
export interface Stores {
  db: Database;
  companies: CompanyStore;
  deals: DealStore;
}

export function createStores(db: Database): Stores {
  const companies = new CompanyStore(db);
  const deals = new DealStore(db, companies);
  return { db, companies, deals };
}
