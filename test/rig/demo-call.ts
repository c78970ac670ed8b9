// `npm run demo:call`: try a real call without a PBX, on Linux. Starts the project's test PBX (Kamailio,
// test/rig/kamailio.cfg, accounts in test/rig/users) unless it already runs, then a headless Chromium
// caller whose microphone plays a 440 Hz tone calls the demo agent sip:1001@127.0.0.1 with a customer's
// number as caller ID. Run the app in another terminal (`npm run web` or `npm start`) and sign in with
//   WebSocket URL ws://127.0.0.1:8080, SIP address sip:1001@127.0.0.1, password lianluo.
// The call rings until answered (at most --ring seconds) and lasts until either side hangs up.
//
//   npm run demo:call -- [--from NUMBER] [--name "DISPLAY NAME"] [--pai URI] [--to USER] [--ring SECONDS]
// Numbers with a story in the demo data: 13800138000 (one customer, the default), 01088886666 (two
// customers share it), 13911112222 (nobody: a new-customer card).
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { STORY_NUMBERS } from '../../shared/demo/demo-customers';
import type { CallStatus } from '../e2e/caller/api';
import { launchParty, type Party } from '../e2e/lib/browser';
import { buildCaller, serveFolder } from '../e2e/lib/caller-build';
import { makeTones, RIG, rigScript } from '../e2e/lib/rig';

const USAGE = `usage: npm run demo:call -- [--from NUMBER] [--name "DISPLAY NAME"] [--pai URI] [--to USER] [--ring SECONDS]
  --from   caller's number, sent as the From user (default ${STORY_NUMBERS.single}; try ${STORY_NUMBERS.shared} or ${STORY_NUMBERS.unknown})
  --name   caller's display name (default none)
  --pai    a P-Asserted-Identity URI, e.g. sip:01088886666@127.0.0.1 (the app prefers it to From)
  --to     the agent's SIP user (default 1001)
  --ring   seconds to ring before giving up (default 60)`;

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: STORY_NUMBERS.single },
    name: { type: 'string' },
    pai: { type: 'string' },
    to: { type: 'string', default: '1001' },
    ring: { type: 'string', default: '60' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const ringS = Number(values.ring);
if (!/^[\w.+*#-]{1,64}$/.test(values.from) || !/^[\w.+-]{1,64}$/.test(values.to) || !(ringS > 0 && ringS <= 600)) {
  console.error(`bad arguments\n${USAGE}`);
  process.exit(2);
}

const runDir = process.env.LIANLUO_RIG_RUN ?? join(RIG, 'run');
const log = (line: string) => console.log(`demo:call  ${line}`);

/** The caller's password, from the same accounts file the PBX uses. */
function callerPassword(): string {
  const line = readFileSync(join(RIG, 'users'), 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find(([user]) => user === 'caller');
  if (!line?.[1]) throw new Error(`no "caller" account in ${join(RIG, 'users')}`);
  return line[1];
}

let party: Party | undefined;
let closeServer: (() => Promise<void>) | undefined;
async function shutdown(): Promise<void> {
  await party?.page.evaluate(() => window.caller?.stop()).catch(() => undefined);
  await party?.close();
  await closeServer?.();
}

async function main(): Promise<number> {
  mkdirSync(runDir, { recursive: true });
  log(rigScript('start-kamailio.sh', [], { LIANLUO_RIG_RUN: runDir }));
  const tones = makeTones(join(runDir, 'tones'));
  const bundle = await buildCaller(join(runDir, 'caller'));
  const server = await serveFolder(bundle.pageDir);
  closeServer = server.close;
  party = await launchParty('demo-caller', tones.caller, runDir);
  const page = party.page;
  await page.goto(server.url);
  await page.waitForFunction(() => !!window.caller);
  const reg = await page.evaluate((a) => window.caller!.register(a), { wsUrl: 'ws://127.0.0.1:8080', sipUri: 'sip:caller@127.0.0.1', password: callerPassword() });
  if (!reg.ok) {
    log(`the demo caller could not sign in to the PBX: ${reg.error}`);
    return 1;
  }

  const status = (): Promise<CallStatus> => page.evaluate(() => window.caller!.status());
  const deadline = Date.now() + ringS * 1000;
  const who = `${values.from}${values.name ? ` "${values.name}"` : ''}${values.pai ? ` (PAI ${values.pai})` : ''}`;
  let waitingSaid = false;
  let ringingSaid = false;
  for (;;) {
    await page.evaluate(
      (r) => window.caller!.call(r),
      { target: `sip:${values.to}@127.0.0.1`, fromUser: values.from, ...(values.name ? { fromDisplayName: values.name } : {}), ...(values.pai ? { pai: `<${values.pai}>` } : {}) },
    );
    let s = await status();
    while (s.state !== 'Established' && s.state !== 'Terminated' && Date.now() < deadline) {
      if (!ringingSaid && s.provisional.includes(180)) {
        log(`ringing ${values.to}: a call from ${who}. Answer it in Lianluo.`);
        ringingSaid = true;
      }
      await new Promise((r) => setTimeout(r, 200));
      s = await status();
    }
    if (s.state === 'Established') break;
    if (s.state !== 'Terminated') {
      await page.evaluate(() => window.caller!.hangup());
      log(`no answer after ${ringS} s; hung up.`);
      return 1;
    }
    const code = s.final?.code;
    if ((code === 404 || code === 480) && Date.now() >= deadline - 2000) {
      log(`${values.to} did not sign in to the PBX within ${ringS} s; no call was made.`);
      return 1;
    }
    if (code === 404 || code === 480) {
      // The agent is not signed in (yet): wait for it, it may be reconnecting.
      if (!waitingSaid) {
        log(`${values.to} is not signed in to the PBX yet; waiting. In Lianluo use ws://127.0.0.1:8080, sip:${values.to}@127.0.0.1, password lianluo.`);
        waitingSaid = true;
      }
      await new Promise((r) => setTimeout(r, 1500));
      continue;
    }
    if (code === 486 || code === 603) {
      log('the agent rejected the call.');
      return 0;
    }
    log(`the call failed: ${code ?? '?'} ${s.final?.reason ?? ''}`.trim());
    return 1;
  }

  log('answered. The agent hears a 440 Hz tone from this caller. Hang up in Lianluo (or press Ctrl+C here).');
  let s = await status();
  while (s.state !== 'Terminated') {
    await new Promise((r) => setTimeout(r, 300));
    s = await status();
  }
  log(s.endedBy === 'remote' ? 'the agent hung up.' : 'call ended.');
  return 0;
}

process.once('SIGINT', () => {
  log('hanging up.');
  void shutdown().then(() => process.exit(130));
});

let code = 1;
try {
  code = await main();
} catch (e) {
  log(`failed: ${e instanceof Error ? e.message : String(e)}`);
} finally {
  await shutdown();
}
const envPrefix = process.env.LIANLUO_RIG_RUN ? `LIANLUO_RIG_RUN=${process.env.LIANLUO_RIG_RUN} ` : '';
log(`the test PBX keeps running for the next call; stop it with: ${envPrefix}bash test/rig/stop-kamailio.sh`);
process.exit(code);
