// Last step: the job fails as `msgrfw check` did (exit 1: errors, or warnings under
// --warnings-as-errors; 2: a policy could not be read), after the SARIF and the diff are out.
//
// Environment: STATUS (the check step's `status` output).
import { fail } from './lib.mjs';

const given = (process.env.STATUS ?? '').trim();
const status = Number(given);
if (given === '' || !Number.isInteger(status)) fail('the check step reported no status');
if (status === 1) fail('msgrfw check found problems in the policies: see the annotations and the log of the check step');
if (status !== 0) fail(`msgrfw check could not check the policies (exit ${status}): see the log of the check step`);
console.log('msgrfw check passed');
