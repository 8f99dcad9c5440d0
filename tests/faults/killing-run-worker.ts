/**
 * The real run worker, killed with SIGKILL by its own commit at the step ETL_TEST_KILL_AT
 * names: `<op>:<n>`, the n-th step of that kind (renames of the journal not counted).
 */
import { setCommitStepHook } from '../../electron/engine/atomic-output';
import '../../electron/service/run-worker';

const [op, nth] = (process.env.ETL_TEST_KILL_AT ?? '').split(':');
let seen = 0;
setCommitStepHook((step) => {
  if (step.op === op && !step.path.endsWith('.tmp') && ++seen === Number(nth)) process.kill(process.pid, 'SIGKILL');
});
