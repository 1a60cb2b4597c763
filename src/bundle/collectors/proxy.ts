import type { Collector } from '../contract.js';

/** Every spelling the proxy resolution reads, and the ones other tools on the machine read. */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

export const proxyCollector: Collector = {
  name: 'proxy',
  describes: 'the proxy variables, --proxy, and the proxy the run used (passwords redacted)',
  collect: ({ env, proxyFlag, report }) => {
    const variables = Object.fromEntries(PROXY_VARIABLES.filter((name) => env[name] !== undefined).map((name) => [name, env[name]]));
    const json = { variables, flag: proxyFlag ?? null, used: report.settings.proxy, source: report.settings.proxySource };
    return { files: [{ name: 'environment/proxy.json', content: { json } }] };
  },
};
