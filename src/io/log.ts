import { pino, type DestinationStream, type Logger, type LevelWithSilent, type StreamEntry } from 'pino';
import { quote } from '../model/text.js';
import { InputError } from '../model/errors.js';
import { REDACTED, SECRETS_ONLY, type Redactor } from '../model/redact.js';

const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface LogOptions {
  /**
   * Every line passes it before it is written anywhere, the capture included: a line carries
   * server text (a deny page, a header) as a report does. The built-in patterns by default.
   */
  readonly redactor?: Redactor;
  /** Receives every line at debug level and above, whatever the level of stderr or --log-file. */
  readonly capture?: DestinationStream;
}

/**
 * Structured logs go to stderr (stdout is for reports) or to --log-file. Proxy
 * credentials are redacted wherever a field carries them, and every line passes the redactor
 * as data (values, never keys). A support bundle also captures the whole run at debug level
 * (`capture`).
 */
export function createLogger(level: string, file: string | undefined, { redactor = SECRETS_ONLY, capture }: LogOptions = {}): Logger {
  if (!LEVELS.includes(level)) throw new InputError('--log-level', `${quote(level)} is not one of ${LEVELS.join(', ')}`);
  const destination = file === undefined ? pino.destination({ fd: 2, sync: true }) : openLogFile(file);
  const options = {
    name: 'aml-netcheck',
    level: level as LevelWithSilent,
    redact: { paths: ['proxy', '*.proxy', 'headers.authorization', 'headers["proxy-authorization"]'], censor: REDACTED },
    hooks: { streamWrite: (line: string) => redactor.lines(line) },
  };
  if (capture === undefined) return pino(options, destination);
  const streams: StreamEntry[] = [{ level: 'debug', stream: capture }];
  if (level !== 'silent') streams.push({ level: level as pino.Level, stream: destination });
  // The logger must let through what the most talkative stream wants: debug, or trace when asked.
  return pino({ ...options, level: level === 'trace' ? 'trace' : 'debug' }, pino.multistream(streams));
}

function openLogFile(file: string): ReturnType<typeof pino.destination> {
  try {
    return pino.destination({ dest: file, sync: true, mkdir: false, append: true });
  } catch (error) {
    throw new InputError('--log-file', `cannot write ${quote(file)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
