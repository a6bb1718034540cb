// A throwaway PostgreSQL cluster for tests and benchmarks (Node 20 ESM, builtins only): initdb into a
// temporary directory, start the server on 127.0.0.1 at a free port, create a role and a database.
// PostgreSQL refuses to run as root: as root, the server runs as $WSOPS_PG_USER, else "postgres"
// (Debian's package creates it), else "nobody".
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The server binaries: $WSOPS_PG_BIN, else the newest /usr/lib/postgresql/<n>/bin, else PATH. */
export function serverBinDir() {
  if (process.env.WSOPS_PG_BIN) return process.env.WSOPS_PG_BIN;
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(base, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length > 0) return join(base, versions[0], "bin");
  const onPath = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).stdout.trim();
  if (onPath) return onPath.replace(/\/initdb$/, "");
  throw new Error(
    "no PostgreSQL server binaries found (initdb): apt-get install postgresql, or set WSOPS_PG_BIN",
  );
}

/** The uid and gid the server runs as: ours, unless we are root. */
function serverUser() {
  if (process.getuid?.() !== 0) return null;
  const names = [process.env.WSOPS_PG_USER, "postgres", "nobody"].filter(Boolean);
  for (const name of names) {
    const ids = spawnSync("id", ["-u", name], { encoding: "utf8" });
    if (ids.status !== 0) continue;
    const gid = spawnSync("id", ["-g", name], { encoding: "utf8" }).stdout.trim();
    return { name, uid: Number(ids.stdout.trim()), gid: Number(gid) };
  }
  throw new Error(`running as root and none of ${names.join(", ")} exists to run PostgreSQL as`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs a server binary as the server's user; throws with its output when it fails. */
function run(bin, args, user, options = {}) {
  try {
    return execFileSync(bin, args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
      env: { ...process.env, LC_ALL: "C", ...(user ? { HOME: "/tmp" } : {}) },
      ...options,
    });
  } catch (error) {
    throw new Error(`${bin} ${args.join(" ")} failed: ${error.stderr || error.stdout || error.message}`);
  }
}

/**
 * Starts a cluster; resolves with { url, adminUrl, dir, port, binDir, user }. `url` connects as the
 * role `wsops` (LOGIN CREATEDB, not a superuser) to its database `wsops`; `adminUrl` as the superuser.
 */
export async function startCluster(options = {}) {
  const binDir = options.binDir ?? serverBinDir();
  const user = serverUser();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "wsops-pg-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, "data");
  const port = options.port ?? (await freePort());
  run(
    join(binDir, "initdb"),
    ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-instructions"],
    user,
  );
  // Loopback only, sockets in the cluster's own directory, fsync on (benchmarks measure real commits).
  writeFileSync(
    join(data, "postgresql.auto.conf"),
    [
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      `unix_socket_directories = '${dir}'`,
      "fsync = on",
      "max_connections = 100",
      "",
    ].join("\n"),
  );
  if (user) chownSync(join(data, "postgresql.auto.conf"), user.uid, user.gid);
  run(join(binDir, "pg_ctl"), ["-D", data, "-l", join(dir, "server.log"), "-w", "-t", "60", "start"], user);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  run(
    join(binDir, "psql"),
    [
      adminUrl,
      "-v",
      "ON_ERROR_STOP=1",
      "-q",
      "-c",
      "CREATE ROLE wsops LOGIN CREATEDB",
      "-c",
      // DROP DATABASE … WITH (FORCE) may have to end an autovacuum worker of the superuser.
      "GRANT pg_signal_backend TO wsops",
      "-c",
      "CREATE DATABASE wsops OWNER wsops",
    ],
    null,
  );
  return {
    url: `postgres://wsops@127.0.0.1:${port}/wsops`,
    adminUrl,
    dir,
    port,
    binDir,
    user: user?.name ?? null,
  };
}

/** Stops the cluster in `dir` (fast shutdown) and removes the directory. */
export function stopCluster(dir, options = {}) {
  const binDir = options.binDir ?? serverBinDir();
  const data = join(dir, "data");
  if (existsSync(join(data, "postmaster.pid"))) {
    run(join(binDir, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"], serverUser());
  }
  rmSync(dir, { recursive: true, force: true });
}
