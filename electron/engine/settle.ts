/**
 * Waits until every task has settled, then resolves with their values or rejects with the
 * first failure in list order. Unlike `Promise.all`, the caller hears of a failure only once
 * nothing is still running: an output still being written must not race the removal of the
 * staging folder it is written into (a file created after the removal began is left behind).
 */
export async function allSettledOrFirstError<T>(tasks: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
