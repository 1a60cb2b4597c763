/** Kept apart so that building the CLI loads no writer: the help text of every `--out`. */
export const OUT_HELP =
  'also write the output to this file (repeatable), in the format its name ends in: .json (and any other name) JSON, .html, .md markdown, .xml JUnit, .txt the table; for rules also .csv, .bicep, .sh (the -o shell format, else az)';
