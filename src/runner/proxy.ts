import { InputError } from '../model/errors.js';
import { maskedUrl } from '../model/redact.js';
import { quote } from '../model/text.js';

/** The proxies a check may go through, read from --proxy or the usual environment variables. */
export interface ProxyConfig {
  readonly https: string | null;
  readonly http: string | null;
  readonly noProxy: readonly string[];
  /** Where the setting came from, for the report: the flag or the variable's name. */
  readonly source: string | null;
}

export const NO_PROXY_CONFIG: ProxyConfig = { https: null, http: null, noProxy: [], source: null };

function checkProxyUrl(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    throw new InputError(where, `${quote(maskedUrl(value))} is not a proxy URL like http://proxy.example.com:3128`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(where, `proxy scheme ${quote(url.protocol)} is not supported (use http:// or https://)`);
  }
  if (url.hostname === '') throw new InputError(where, `${quote(maskedUrl(value))} names no proxy host`);
  return url.href;
}

function fromEnv(env: NodeJS.ProcessEnv, names: string[]): { value: string; name: string } | null {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return { value: value.trim(), name };
  }
  return null;
}

/** --proxy wins over HTTPS_PROXY / HTTP_PROXY; NO_PROXY applies to both, as curl reads them. */
export function resolveProxyConfig(flag: string | undefined, env: NodeJS.ProcessEnv): ProxyConfig {
  const noProxyValue = fromEnv(env, ['NO_PROXY', 'no_proxy'])?.value ?? '';
  const noProxy = noProxyValue
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  if (flag !== undefined) {
    const url = checkProxyUrl(flag, '--proxy');
    return { https: url, http: url, noProxy, source: '--proxy' };
  }
  const https = fromEnv(env, ['HTTPS_PROXY', 'https_proxy']);
  const http = fromEnv(env, ['HTTP_PROXY', 'http_proxy']);
  if (!https && !http) return { ...NO_PROXY_CONFIG, noProxy };
  return {
    https: https ? checkProxyUrl(https.value, https.name) : null,
    http: http ? checkProxyUrl(http.value, http.name) : null,
    noProxy,
    source: [https?.name, http?.name].filter(Boolean).join(', '),
  };
}

function bypassed(host: string, port: number, noProxy: readonly string[]): boolean {
  const name = host.toLowerCase();
  return noProxy.some((rule) => {
    if (rule === '*') return true;
    const [pattern, rulePort] = rule.split(/:(?=\d+$)/) as [string, string | undefined];
    if (rulePort !== undefined && Number(rulePort) !== port) return false;
    const domain = pattern.replace(/^\*?\./, '');
    return name === domain || name.endsWith(`.${domain}`);
  });
}

/** Whether the run has a web proxy at all, as the report's `settings.proxy` records it. */
export function hasProxy(config: ProxyConfig): boolean {
  return config.https !== null || config.http !== null;
}

/** The proxy a web check of this host and scheme goes through, or null to go direct. */
export function proxyFor(config: ProxyConfig, scheme: 'http' | 'https', host: string, port: number): string | null {
  const url = scheme === 'https' ? config.https : config.http;
  if (url === null || bypassed(host, port, config.noProxy)) return null;
  return url;
}
