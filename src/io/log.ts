import { pino, type Logger, type LevelWithSilent } from 'pino';
import { quote } from '../model/text.js';
import { InputError } from '../model/errors.js';

const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Structured logs go to stderr (stdout is for reports) or to --log-file. Proxy
 * credentials are redacted wherever a field carries them.
 */
export function createLogger(level: string, file: string | undefined): Logger {
  if (!LEVELS.includes(level)) throw new InputError('--log-level', `${quote(level)} is not one of ${LEVELS.join(', ')}`);
  const destination = file === undefined ? pino.destination({ fd: 2, sync: true }) : openLogFile(file);
  return pino(
    {
      name: 'aml-netcheck',
      level: level as LevelWithSilent,
      redact: { paths: ['proxy', '*.proxy', 'headers.authorization', 'headers["proxy-authorization"]'], censor: '[redacted]' },
    },
    destination,
  );
}

function openLogFile(file: string): ReturnType<typeof pino.destination> {
  try {
    return pino.destination({ dest: file, sync: true, mkdir: false, append: true });
  } catch (error) {
    throw new InputError('--log-file', `cannot write ${quote(file)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
