/**
 * A run cut short, by --deadline or by Ctrl-C, still prints the whole report: what finished
 * keeps its verdict, what did not is marked unfinished (unknown, neither broken nor ok),
 * and the exit code says why the run is incomplete.
 */
import t from 'tap';
import { AZURE_AD, ID, LOGIN, addressOf, featureOutcomes, host, outcomes, reportOf, requireRoot, startVnet, targetOf, type Report, type ReportAsserts } from '../helpers/vnet.js';
import { endedAtBudget, FAR_BUDGET_MS, LOAD_SLACK_MS } from '../helpers/timing.js';

/** Longer than the run is allowed to last: only the deadline or the interrupt can end it. */
const SLOW_TIMEOUT = ['--timeout', `${FAR_BUDGET_MS}ms`, '--retries', '0'];

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
    // The deadline leaves the healthy target's check room on a busy machine.
    const run = await vnet.check([...AZURE_AD, ...SLOW_TIMEOUT, '--deadline', '3s']);
    const report = reportOf(t, run, 3);
    expectUnfinished(t, report, /^not finished: the 3s deadline came first$/, 'deadline');
    t.equal(report.settings.deadlineMs, 3000);
    // The far timeout never came: the deadline ended the run.
    t.ok(endedAtBudget(report.durationMs, 3000), `the checks took the deadline and little more (${report.durationMs} ms)`);
    t.ok(run.ms < 3000 + 2 * LOAD_SLACK_MS, `the process ended soon after (${run.ms} ms)`);
  });

  await t.test('SIGINT while a check hangs: ends at once, full report, exit 130', async (t) => {
    const running = vnet.startCheck([...AZURE_AD, ...SLOW_TIMEOUT, '--deadline', '60s', '--log-level', 'debug']);
    // Interrupt once the healthy target is done, so exactly the hanging one is cut short.
    await running.stderrLine(/"target":"login\.microsoftonline\.com:80".*"verdict":"reachable"/);
    const interruptedAt = Date.now();
    t.ok(running.child.kill('SIGINT'), 'SIGINT delivered to the CLI itself (ip netns exec execs it)');
    const run = await running.result;
    const report = reportOf(t, run, 130);
    expectUnfinished(t, report, /^not finished: the run was interrupted$/, 'SIGINT');
    t.match(run.stderr, /SIGINT: finishing the report/);
    t.ok(Date.now() - interruptedAt < LOAD_SLACK_MS, `ended ${Date.now() - interruptedAt} ms after the interrupt`);
    t.ok(report.durationMs < FAR_BUDGET_MS / 2, `well before the timeout would have ended it (${report.durationMs} ms)`);
  });
});
