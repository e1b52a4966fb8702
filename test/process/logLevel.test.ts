import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlpReceiver.js';

const APP = fileURLToPath(new URL('../fixtures/shortLivedApp.js', import.meta.url));
const TOKEN = 'glc_secret_that_must_not_print';

async function stderrOf(receiver: OtlpReceiver, level: string): Promise<string> {
  const child = spawn(process.execPath, [APP, 'end'], {
    env: {
      PATH: process.env['PATH'] ?? '',
      ANALYTICS_BACKEND: 'otlp',
      OTLP_ENDPOINT: receiver.baseUrl,
      OTLP_INSTANCE_ID: '42',
      OTLP_TOKEN: TOKEN,
      ANALYTICS_LOG_LEVEL: level,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await once(child, 'exit');
  return stderr;
}

describe('ANALYTICS_LOG_LEVEL', function () {
  this.timeout(20_000);
  let receiver: OtlpReceiver;
  beforeEach(async () => (receiver = await startOtlpReceiver({ basicAuth: { username: '42', password: 'the-right-token' } })));
  afterEach(() => receiver.close());

  it('makes a failed export visible on stderr, without the token', async () => {
    const stderr = await stderrOf(receiver, 'ERROR');
    assert.match(stderr, /rejected the credentials \(HTTP 401\): check OTLP_INSTANCE_ID and OTLP_TOKEN/);
    assert.ok(!stderr.includes(TOKEN), stderr);
  });

  it('keeps stderr quiet at NONE', async () => {
    assert.equal(await stderrOf(receiver, 'NONE'), '');
  });
});
