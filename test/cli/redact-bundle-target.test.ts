/**
 * bundle --redact target matches JSON keys of the report and the log: it rewrites values only,
 * and the bundle stays valid, `bundle verify` passes, `diff` reads its report.json.
 */
import { testRedactPattern } from '../helpers/redact-bundle.js';

testRedactPattern('target');
