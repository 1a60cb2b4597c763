/**
 * bundle --redact summary matches a JSON key of the report and the manifest: it rewrites values
 * only, and the bundle stays valid, `bundle verify` passes, `diff` reads its report.json.
 */
import { testRedactPattern } from '../helpers/redact-bundle.js';

testRedactPattern('summary');
