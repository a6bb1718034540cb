// Starts a throwaway PostgreSQL cluster for the tests and benchmarks and prints how to use it.
//
//   node tools/pg/start.mjs          (npm run pg:start)   prints the URL and the stop command
//   node tools/pg/start.mjs --env    prints `export WSOPS_TEST_PG_URL=…` and `export WSOPS_PG_DIR=…`, for eval
//
// Stop it with `node tools/pg/stop.mjs DIR` (npm run pg:stop -- DIR). See cluster.mjs for the details.
import { startCluster } from "./cluster.mjs";

const args = process.argv.slice(2);
if (args.some((a) => a !== "--env")) {
  process.stderr.write("usage: node tools/pg/start.mjs [--env]\n");
  process.exit(2);
}
try {
  const cluster = await startCluster();
  if (args.includes("--env")) {
    process.stdout.write(`export WSOPS_TEST_PG_URL='${cluster.url}'\nexport WSOPS_PG_DIR='${cluster.dir}'\n`);
  } else {
    process.stdout.write(
      [
        `PostgreSQL ${cluster.binDir} running on 127.0.0.1:${cluster.port}${cluster.user ? ` as ${cluster.user}` : ""}`,
        "",
        `  export WSOPS_TEST_PG_URL=${cluster.url}`,
        "  npm test                         # the PostgreSQL suites now run instead of skipping",
        `  node tools/pg/stop.mjs ${cluster.dir}    # stop it and remove its files`,
        "",
      ].join("\n"),
    );
  }
} catch (error) {
  process.stderr.write(`tools/pg/start: ${error.message}\n`);
  process.exit(1);
}
