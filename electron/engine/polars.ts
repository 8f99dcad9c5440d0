/**
 * nodejs-polars, loaded when first used instead of when the engine is: a run starts its scan
 * threads before it needs Polars, so they need not wait for the load (docs/performance.md). Use `import pl from './polars'` in the engine.
 */
import type Polars from 'nodejs-polars';

let loaded: typeof Polars | undefined;

const load = (): typeof Polars => (loaded ??= require('nodejs-polars') as typeof Polars);

const pl: typeof Polars = new Proxy({} as typeof Polars, { get: (_target, key) => Reflect.get(load(), key) });
export default pl;
