/**
 * Live updates: the place where the open graph will follow new deals as they are recorded.
 *
 * The API has no subscriptions yet (see the issue on live circular deals). When it has one (a
 * `dealRecorded`-like subscription over graphql-ws on this same origin), subscribe here to deals
 * touching `companyIds` and call `onChange`: the explorer then reloads the graph and the cycles,
 * and keeps the selection. Until then nothing is watched.
 */
export function watchDeals(_companyIds: readonly string[], _onChange: () => void): () => void {
  return () => {};
}
