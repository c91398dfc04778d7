// Runs s3rver on 127.0.0.1 (a free port) with signature checking on, storing objects in
// the directory given as the first argument. Prints one JSON line
// {"port": N, "access_key": ..., "secret_key": ...} once it listens, and exits when its
// standard input closes (the test that started it is done or died).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const S3rver = require('@20minutes/s3rver');

const directory = process.argv[2];
if (!directory) {
  console.error('usage: node s3rver_server.mjs DIRECTORY');
  process.exit(2);
}
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  // Virtual-host requests arrive as BUCKET.s3.localhost (curl resolves *.localhost to loopback).
  serviceEndpoint: 'localhost',
  allowMismatchedSignatures: false,
});
const address = await server.run();
process.stdout.write(JSON.stringify({ port: address.port, access_key: 'S3RVER', secret_key: 'S3RVER' }) + '\n');
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
