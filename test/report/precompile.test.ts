import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import t from 'tap';
import { compileReportSchema } from '../../src/report/report-schema.js';

// What `npm run build` precompiles must judge a report exactly as the schema compiled at run time.
const VALIDATOR = join(import.meta.dirname, '../../dist/report/report-validator.cjs');

function firstError(validate: ValidateFunction, data: unknown): Pick<ErrorObject, 'instancePath' | 'keyword' | 'params'> | null {
  if (validate(data)) return null;
  const error = validate.errors?.[0];
  return error ? { instancePath: error.instancePath, keyword: error.keyword, params: error.params } : null;
}

t.test('the precompiled report validator agrees with the schema on every fixture', async (t) => {
  if (!existsSync(VALIDATOR)) {
    if (process.env['CI'] === 'true') t.fail('dist/ has no precompiled report validator: the build step did not run');
    else t.plan(0, 'dist/ has no precompiled report validator: run `npm run build` first');
    return;
  }
  const precompiled = createRequire(import.meta.url)(VALIDATOR) as ValidateFunction;
  const { validate } = compileReportSchema();
  const files = ['test/fixtures/reports', 'test/fixtures/report-invalid'].flatMap((dir) =>
    readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .map((n) => join(dir, n)),
  );
  let invalid = 0;
  for (const file of files) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    const expected = firstError(validate, data);
    if (expected !== null) invalid++;
    t.same(firstError(precompiled, data), expected, file);
  }
  t.ok(invalid >= 5, `invalid reports compared too (${invalid})`);
});
