/**
 * bundle --redact '\p{L}' matches every letter, of every JSON key, status, reason code and file
 * name too: it rewrites values only, and the bundle stays valid, `bundle verify` passes, `diff`
 * reads its report.json.
 */
import { testRedactPattern } from '../helpers/redact-bundle.js';

testRedactPattern('\\p{L}');
