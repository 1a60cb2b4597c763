/**
 * A run cut short, by --deadline or by Ctrl-C, still prints the whole report: what finished
 * keeps its verdict, what did not is marked unfinished (unknown, neither broken nor ok),
 * and the exit code says why the run is incomplete.
 */
import t from 'tap';
import { AZURE_AD, ID, LOGIN, addressOf, featureOutcomes, host, outcomes, reportOf, requireRoot, startVnet, targetOf, type Report, type ReportAsserts } from '../helpers/vnet.js';

/** Longer than the run is allowed to last: only the deadline or the interrupt can end it. */
const SLOW_TIMEOUT = ['--timeout', '8s', '--retries', '0'];

function expectUnfinished(t: ReportAsserts, report: Report, why: RegExp, stoppedBy: string): void {
  t.same(outcomes(report), { [ID.login80]: 'reachable -', [ID.login443]: 'unknown aborted' }, 'what finished keeps its verdict; the rest is unfinished');
  t.same(featureOutcomes(report), { 'azure-ad': { status: 'unknown', blockedBy: [ID.login443] } }, 'an unfinished required target leaves its feature unknown, not broken');
  t.match(report.summary, { targets: 2, reachable: 1, blocked: 0, skipped: 0, unknown: 1, unfinished: 1, requiredBlocked: 0, featuresBroken: [], featuresUnknown: ['azure-ad'], complete: false, stoppedBy }, 'the summary counts it unfinished and says why');
  t.match(targetOf(report, ID.login443).detail, why, 'the detail says what cut it short');
}

t.test('a run cut short', async (t) => {
  if (!requireRoot(t)) return;
  const vnet = await startVnet(t, { hosts: [host(LOGIN, { 80: 'ok', 443: 'ok' })] });
  await vnet.firewall({ address: addressOf(LOGIN), port: 443, action: 'drop' });

  await t.test('--deadline shorter than a dropped port takes: ends on time, full report, exit 3', async (t) => {
    const run = await vnet.check([...AZURE_AD, ...SLOW_TIMEOUT, '--deadline', '1500ms'], { timeoutMs: 8000 });
    const report = reportOf(t, run, 3);
    expectUnfinished(t, report, /^not finished: the 1\.5s deadline came first$/, 'deadline');
    t.equal(report.settings.deadlineMs, 1500);
    // The 8 s timeout never came: the deadline ended the run (slack for a loaded machine).
    t.ok(report.durationMs >= 1500 && report.durationMs < 5000, `the checks took the deadline and little more (${report.durationMs} ms)`);
    t.ok(run.ms < 7000, `the process ended soon after (${run.ms} ms)`);
  });

  await t.test('SIGINT while a check hangs: ends at once, full report, exit 130', async (t) => {
    const running = vnet.startCheck([...AZURE_AD, ...SLOW_TIMEOUT, '--deadline', '60s', '--log-level', 'debug'], { timeoutMs: 15_000 });
    // Interrupt once the healthy target is done, so exactly the hanging one is cut short.
    await running.stderrLine(/"target":"login\.microsoftonline\.com:80".*"verdict":"reachable"/);
    const interruptedAt = Date.now();
    t.ok(running.child.kill('SIGINT'), 'SIGINT delivered to the CLI itself (ip netns exec execs it)');
    const run = await running.result;
    const report = reportOf(t, run, 130);
    expectUnfinished(t, report, /^not finished: the run was interrupted$/, 'SIGINT');
    t.match(run.stderr, /SIGINT: finishing the report/);
    t.ok(Date.now() - interruptedAt < 3000, `ended ${Date.now() - interruptedAt} ms after the interrupt`);
    t.ok(report.durationMs < 8000, `well before the 8 s timeout would have ended it (${report.durationMs} ms)`);
  });
});
