// A throwaway S3 server for the test suite: SeaweedFS (`weed server -s3`, built into .tools/bin by
// scripts/install-clients/s3.sh) under a temporary directory, on free loopback ports, with one
// access key. Tests create a bucket each.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from './free-port.js';
import { stopProcess } from './stop-process.js';

const root = new URL('../..', import.meta.url).pathname;
const weed = join(root, '.tools', 'bin', 'weed');

/** True when the server binary has been built. */
export function s3ServerInstalled() {
  return existsSync(weed);
}

/**
 * Starts the server and resolves once its S3 gateway answers signed requests.
 * @returns {{ endpoint: string, accessKeyId: string, secretAccessKey: string, stop: () => Promise<void> }}
 */
export async function startTestS3() {
  if (!s3ServerInstalled()) throw new Error(`${weed} is missing: run scripts/install-clients.sh`);
  const dir = mkdtempSync(join(tmpdir(), 'kura-s3-'));
  const accessKeyId = 'kura-test';
  const secretAccessKey = 'kura-test-secret';
  writeFileSync(join(dir, 's3.json'), JSON.stringify({
    identities: [{ name: 'kura', credentials: [{ accessKey: accessKeyId, secretKey: secretAccessKey }], actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'] }],
  }));
  // gRPC ports are explicit: SeaweedFS's default (HTTP port + 10000) may be taken.
  const ports = {};
  for (const name of ['master', 'masterGrpc', 'volume', 'volumeGrpc', 'filer', 'filerGrpc', 's3', 's3Grpc']) ports[name] = await freePort();
  const data = join(dir, 'data');
  mkdirSync(data);
  const server = spawn(weed, [
    'server', `-dir=${data}`, '-ip=127.0.0.1', '-ip.bind=127.0.0.1',
    `-master.port=${ports.master}`, `-master.port.grpc=${ports.masterGrpc}`, '-master.volumeSizeLimitMB=64',
    `-volume.port=${ports.volume}`, `-volume.port.grpc=${ports.volumeGrpc}`, '-volume.max=0', '-volume.preStopSeconds=0',
    '-filer', `-filer.port=${ports.filer}`, `-filer.port.grpc=${ports.filerGrpc}`,
    '-s3', `-s3.port=${ports.s3}`, `-s3.port.grpc=${ports.s3Grpc}`, '-s3.port.iceberg=0', '-s3.port.lance=0',
    `-s3.config=${join(dir, 's3.json')}`, '-metricsPort=0',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr.on('data', (d) => (log = (log + d.toString()).slice(-8192)));
  const endpoint = `http://127.0.0.1:${ports.s3}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`weed exited with ${server.exitCode}: ${log}`);
    try {
      await client.send(new ListBucketsCommand({}));
      break;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the S3 server did not answer: ${error.message}\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  return {
    endpoint,
    accessKeyId,
    secretAccessKey,
    async stop() {
      await stopProcess(server, 'SIGTERM', 3000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
