/**
 * The guard of the fast lane (`npm run test:unit`): loaded into each test file's process, it makes
 * starting a server, opening a connection (HTTP, PostgreSQL) or starting a child process throw,
 * so that a file listed in test/unit-lane.txt that needs any of them fails loudly instead of
 * slowing the lane down. PostgreSQL halves skip as they do without a database (DATABASE_URL is
 * dropped). The full lane (`npm test`) runs every file, listed or not, without this guard.
 */
import childProcess, { ChildProcess } from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import net from "node:net";

// The test runner's own process starts the files' processes: only those (NODE_TEST_CONTEXT set) are guarded.
if (process.env.NODE_TEST_CONTEXT !== undefined) {
  delete process.env.DATABASE_URL;
  const refuse = (what: string) => () => {
    throw new Error(`the unit lane starts no servers, connections or processes (${what}): move this test file out of test/unit-lane.txt; \`npm test\` runs it`);
  };
  net.Server.prototype.listen = refuse("a server listens");
  net.Socket.prototype.connect = refuse("a socket connects");
  // spawn, exec, execFile and fork all go through this (undocumented, so not in the typings) method.
  (ChildProcess.prototype as unknown as { spawn: () => never }).spawn = refuse("a child process");
  childProcess.spawnSync = refuse("a child process");
  childProcess.execSync = refuse("a child process");
  childProcess.execFileSync = refuse("a child process");
  syncBuiltinESMExports();
}
