import t from 'tap';
import { proxyFor, resolveProxyConfig } from '../../src/runner/proxy.js';
import { InputError } from '../../src/model/errors.js';

t.test('--proxy wins over the environment; NO_PROXY still applies', async (t) => {
  const config = resolveProxyConfig('http://proxy.corp:3128', { HTTPS_PROXY: 'http://other:1', NO_PROXY: '.blob.core.windows.net,login.microsoftonline.com' });
  t.equal(config.source, '--proxy');
  t.equal(proxyFor(config, 'https', 'pypi.org', 443), 'http://proxy.corp:3128/');
  t.equal(proxyFor(config, 'https', 'st1.blob.core.windows.net', 443), null, 'subdomain of a NO_PROXY domain goes direct');
  t.equal(proxyFor(config, 'https', 'login.microsoftonline.com', 443), null);
  t.equal(proxyFor(config, 'http', 'login.microsoftonline.com.evil.example', 80), 'http://proxy.corp:3128/');
});

t.test('environment variables: either case, https and http apart, no_proxy with ports and *', async (t) => {
  const config = resolveProxyConfig(undefined, { https_proxy: 'proxy:8080', HTTP_PROXY: 'http://plain:80', no_proxy: 'internal.example:443' });
  t.equal(config.https, 'http://proxy:8080/', 'a bare host:port is an http proxy');
  t.equal(config.http, 'http://plain/');
  t.equal(config.source, 'https_proxy, HTTP_PROXY');
  t.equal(proxyFor(config, 'https', 'internal.example', 443), null);
  t.equal(proxyFor(config, 'http', 'internal.example', 80), 'http://plain/', 'the NO_PROXY entry was for port 443 only');
  t.equal(proxyFor(resolveProxyConfig(undefined, { HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' }), 'https', 'any.host', 443), null);
  t.equal(resolveProxyConfig(undefined, {}).https, null);
});

t.test('bad proxy settings name their source and never show a password', async (t) => {
  t.throws(() => resolveProxyConfig('socks5://p:1080', {}), { message: "proxy scheme 'socks5:' is not supported (use http:// or https://)" });
  try {
    resolveProxyConfig(undefined, { HTTPS_PROXY: 'http://user:pa ss@' });
    t.fail('should throw');
  } catch (error) {
    t.type(error, InputError);
    t.equal((error as InputError).where, 'HTTPS_PROXY');
    t.notMatch((error as Error).message, /pa ss/);
  }
});
