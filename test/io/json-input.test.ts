import t from 'tap';
import { isObject, JsonSyntaxError, parseJson, pointerToPath, quoteJson, valueAt } from '../../src/io/json-input.js';

function syntaxError(text: string): JsonSyntaxError {
  try {
    parseJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(text)} parsed`);
}

t.test('text that is not JSON: the reason, the line and the column, whether or not the parser gave a position', async (t) => {
  const cases: Array<[string, string]> = [
    ['{\n  "a": 1,\n}', 'Expected double-quoted property name at line 3 column 1'],
    ['{"a": 1', "Expected ',' or '}' after property value at line 1 column 8"],
    ['[1, 2]x', 'Unexpected non-whitespace character after JSON at line 1 column 7'],
    ['{"a":\n 1 2}', "Expected ',' or '}' after property value at line 2 column 4"],
    // Node 20 names no position for these: found by reading the text again.
    ['{"a": }', "Unexpected token '}' at line 1 column 7"],
    ['{\n"a":tru}', "Unexpected token '}' at line 2 column 8"],
    ['[1,]', "Unexpected token ']' at line 1 column 4"],
    ['aml-netcheck check: 5 targets', "Unexpected token 'a' at line 1 column 1"],
    ['{"a": [true, {"b": nul}]}', "Unexpected token '}' at line 1 column 23"],
    ['', 'Unexpected end of JSON input at line 1 column 1'],
    ['{"a": [1,\n', 'Unexpected end of JSON input at line 2 column 1'],
  ];
  for (const [text, message] of cases) {
    const error = syntaxError(text);
    t.equal(error.message, message, JSON.stringify(text));
    t.equal(error.message, `${error.reason} at line ${error.line} column ${error.column}`, 'the reason and the place, apart');
  }
});

t.test('the reason quotes none of the text, is one line, and makes control characters visible', async (t) => {
  const error = syntaxError(`\u001b[2J{"secret": "x"\n`);
  t.equal(error.message, "Unexpected token '\\x1b' at line 1 column 1");
  t.notMatch(error.message, /secret/, 'the text around the token is left out: the position says where');
  t.notMatch(syntaxError('{"a": "b\u0001"}').message, /[\u0000-\u001f]/);
});

t.test('nested far deeper than any document: the place found without overflowing the stack', async (t) => {
  const deep = '['.repeat(200_000);
  t.equal(syntaxError(deep).message, `Unexpected end of JSON input at line 1 column ${deep.length + 1}`);
});

t.test('isObject: a mapping of keys, not a list, not null', async (t) => {
  t.equal(isObject({}), true);
  t.equal(isObject([]), false);
  t.equal(isObject(null), false);
  t.equal(isObject('x'), false);
});

t.test('a JSON pointer as the path a reader knows', async (t) => {
  t.same(pointerToPath(''), []);
  t.same(pointerToPath('/targets/3/verdict'), ['targets', 3, 'verdict']);
  t.same(pointerToPath('/a~1b/c~0d/01'), ['a/b', 'c~d', '01'], 'escapes undone; 01 is a key, not an index');
});

t.test('the value at a path, never a character of a string', async (t) => {
  const document = { targets: [{ id: 'x', ports: [443] }], name: 'abc' };
  t.equal(valueAt(document, ['targets', 0, 'ports', 0]), 443);
  t.same(valueAt(document, []), document);
  t.equal(valueAt(document, ['name', 0]), undefined);
  t.equal(valueAt(document, ['missing', 'deeper']), undefined);
});

t.test('a value quoted for a message: as JSON writes it, cut short, control characters visible', async (t) => {
  t.equal(quoteJson('2'), '"2"');
  t.equal(quoteJson(2), '2');
  t.equal(quoteJson(undefined), 'nothing');
  t.equal(quoteJson('a\u009bb'), '"a\\x9bb"');
  t.equal([...quoteJson('x'.repeat(500))].length, 80);
});
