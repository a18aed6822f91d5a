/**
 * The playground: GraphiQL, bundled with its editor workers (graphiql/setup-workers/vite), talking
 * to this server's /graphql. The README's example queries open as tabs; the docs explorer reads
 * the schema by introspection; the headers editor takes `Authorization: Bearer <ADMIN_TOKEN>` for
 * writes.
 */
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createRoot } from 'react-dom/client';
import readme from '../../README.md?raw';
import { examplesFrom } from './examples';

const fetcher = createGraphiQLFetcher({ url: new URL('/graphql', window.location.href).href });

const examples = examplesFrom(readme);
const defaultTabs = examples.map(({ query, headers }) => ({
  query,
  ...(headers ? { headers } : {}),
}));

createRoot(document.getElementById('graphiql')!).render(
  <GraphiQL
    fetcher={fetcher}
    defaultTabs={defaultTabs}
    defaultEditorToolsVisibility={false}
    // The admin token typed into the headers editor stays in this tab's memory unless the user
    // ticks "persist headers" in the settings.
    shouldPersistHeaders={false}
  />,
);
