/**
 * bundle --redact ode matches inside JSON keys (exitCode) and values of the tool's own (node
 * names in the log): it rewrites values only, and the bundle stays valid, `bundle verify`
 * passes, `diff` reads its report.json.
 */
import { testRedactPattern } from '../helpers/redact-bundle.js';

testRedactPattern('ode');
