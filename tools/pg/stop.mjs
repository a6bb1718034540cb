// Stops a cluster started by tools/pg/start.mjs and removes its directory: node tools/pg/stop.mjs DIR
import { stopCluster } from "./cluster.mjs";

const [dir, ...rest] = process.argv.slice(2);
if (!dir || rest.length > 0) {
  process.stderr.write("usage: node tools/pg/stop.mjs DIR   (the directory start.mjs printed)\n");
  process.exit(2);
}
try {
  stopCluster(dir);
} catch (error) {
  process.stderr.write(`tools/pg/stop: ${error.message}\n`);
  process.exit(1);
}
