// What bubblewrap hides from every command unless a profile's allowRead says otherwise: the usual
// credential stores of the invoking user (and of root), the host's password hashes and private keys,
// and the sockets of host daemons (a root-owned docker or dbus socket is a way out of any sandbox).
import { readdirSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";

type Env = Record<string, string | undefined>;

/** Relative to a home directory. */
const HOME_SECRETS = [
  ".ssh",
  ".gnupg",
  ".aws",
  ".azure",
  ".kube",
  ".docker",
  ".netrc",
  ".npmrc",
  ".yarnrc",
  ".yarnrc.yml",
  ".pypirc",
  ".cargo/credentials",
  ".cargo/credentials.toml",
  ".git-credentials",
  ".gem/credentials",
  ".m2/settings.xml",
  ".gradle/gradle.properties",
  ".pgpass",
  ".my.cnf",
  ".boto",
  ".s3cfg",
  ".vault-token",
  ".terraform.d/credentials.tfrc.json",
  ".oci",
  ".password-store",
  ".mozilla",
  ".pki",
  ".local/share/keyrings",
  // Shell and REPL histories: tokens typed on a command line end up there.
  ".bash_history",
  ".zsh_history",
  ".python_history",
  ".node_repl_history",
  ".psql_history",
  ".mysql_history",
] as const;

/** Relative to a config directory ($XDG_CONFIG_HOME, ~/.config). */
const CONFIG_SECRETS = [
  "gcloud",
  "gh",
  "hub",
  "git/credentials",
  "containers/auth.json",
  "google-chrome",
  "chromium",
  "BraveSoftware",
  "microsoft-edge",
  "op",
  "rclone",
  "doctl",
  "hcloud",
] as const;

/** Absolute paths on the host. */
const SYSTEM_SECRETS = [
  "/etc/shadow",
  "/etc/shadow-",
  "/etc/gshadow",
  "/etc/gshadow-",
  "/etc/security/opasswd",
  "/etc/ssl/private",
  // Sockets of host daemons (docker, dbus, systemd, ssh and gpg agents under /run/user): connecting
  // to one needs no write access to the file system, and some of them run commands for their caller.
  "/run",
] as const;

/** The homes whose credential stores are hidden: $HOME, the password database's home, and root's. */
export function homesOf(env: Env): string[] {
  const homes = new Set<string>();
  if (env.HOME?.startsWith("/")) homes.add(env.HOME);
  try {
    homes.add(userInfo().homedir);
  } catch {
    // No passwd entry for this uid (some containers): $HOME is all there is.
  }
  homes.add("/root");
  return [...homes];
}

/** $XDG_CONFIG_HOME (when absolute) and ~/.config of every home. */
function configDirsOf(env: Env, homes: readonly string[]): string[] {
  const dirs = new Set(homes.map((home) => join(home, ".config")));
  if (env.XDG_CONFIG_HOME?.startsWith("/")) dirs.add(env.XDG_CONFIG_HOME);
  return [...dirs];
}

/** The approver keys of `wsops keys create` (a later step writes them): never readable by a command. */
export function approverKeysDirs(env: Env): string[] {
  return configDirsOf(env, homesOf(env)).map((dir) => join(dir, "wsops", "keys"));
}

/** The default deny list, as absolute paths (whether or not they exist). */
export function defaultDeniedPaths(env: Env): string[] {
  const homes = homesOf(env);
  const paths = new Set<string>(SYSTEM_SECRETS);
  for (const home of homes) for (const rel of HOME_SECRETS) paths.add(join(home, rel));
  for (const dir of configDirsOf(env, homes)) for (const rel of CONFIG_SECRETS) paths.add(join(dir, rel));
  for (const key of sshHostKeys()) paths.add(key);
  return [...paths];
}

/** The host's private SSH host keys (/etc/ssh/ssh_host_*_key; the .pub files stay readable). */
function sshHostKeys(): string[] {
  try {
    return readdirSync("/etc/ssh")
      .filter((name) => name.startsWith("ssh_host_") && name.endsWith("_key"))
      .map((name) => join("/etc/ssh", name));
  } catch {
    return [];
  }
}
