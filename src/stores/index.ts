import { DEFAULT_CYCLE_LIMITS } from '../config.js';
import type { Database } from '../neo4j/database.js';
import { ChangeLogStore } from './changeLogStore.js';
import { CompanyStore } from './companyStore.js';
import { DealStore } from './dealStore.js';
import { ExtractionStore } from './extractionStore.js';
import { FlowStore } from './flowStore.js';
import { CycleStore, type CycleStoreOptions } from './cycleStore.js';
import { GraphStore } from './graphStore.js';
import { SelectionStore } from './selectionStore.js';

/** Every store, built once per process around the one Database. */
export interface Stores {
  db: Database;
  companies: CompanyStore;
  deals: DealStore;
  flows: FlowStore;
  cycles: CycleStore;
  graph: GraphStore;
  selections: SelectionStore;
  extraction: ExtractionStore;
  /** The change log every write appends to and every server tails (live events). */
  changes: ChangeLogStore;
}

/**
 * The stores around one Database. `cycleLimits` come from the configuration (CYCLE_QUERY_TIMEOUT_MS,
 * CYCLE_RESULT_CAP, checked in config.ts); tools and tests without one get the defaults.
 */
export function createStores(
  db: Database,
  cycleLimits: CycleStoreOptions = DEFAULT_CYCLE_LIMITS,
): Stores {
  const flows = new FlowStore(db);
  const changes = new ChangeLogStore(db);
  const companies = new CompanyStore(db, flows, changes);
  const deals = new DealStore(db, companies, flows, changes);
  const cycles = new CycleStore(db, cycleLimits);
  return {
    db,
    companies,
    deals,
    flows,
    cycles,
    graph: new GraphStore(db, cycles),
    selections: new SelectionStore(db),
    extraction: new ExtractionStore(db, companies, deals),
    changes,
  };
}
