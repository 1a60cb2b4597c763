import { pino, type DestinationStream, type Logger, type LevelWithSilent, type StreamEntry } from 'pino';
import { quote } from '../model/text.js';
import { InputError } from '../model/errors.js';

const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface LogCapture {
  /** Receives every line at debug level and above, whatever the level of stderr or --log-file. */
  readonly stream: DestinationStream;
  /** Applied to every line before it is written anywhere, the capture included. */
  readonly filter: (line: string) => string;
}

/**
 * Structured logs go to stderr (stdout is for reports) or to --log-file. Proxy
 * credentials are redacted wherever a field carries them. A support bundle also captures the
 * whole run at debug level (`capture`), and passes every line through its redactor.
 */
export function createLogger(level: string, file: string | undefined, capture?: LogCapture): Logger {
  if (!LEVELS.includes(level)) throw new InputError('--log-level', `${quote(level)} is not one of ${LEVELS.join(', ')}`);
  const destination = file === undefined ? pino.destination({ fd: 2, sync: true }) : openLogFile(file);
  const options = {
    name: 'aml-netcheck',
    level: level as LevelWithSilent,
    redact: { paths: ['proxy', '*.proxy', 'headers.authorization', 'headers["proxy-authorization"]'], censor: '[redacted]' },
  };
  if (capture === undefined) return pino(options, destination);
  const filtered = (stream: DestinationStream): DestinationStream => ({ write: (line: string) => stream.write(capture.filter(line)) });
  const streams: StreamEntry[] = [{ level: 'debug', stream: filtered(capture.stream) }];
  if (level !== 'silent') streams.push({ level: level as pino.Level, stream: filtered(destination) });
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
