import { loadAnalyzer } from "@workspace-ops/analysis";
import type { CommandAnalysis } from "@workspace-ops/contracts";
import { describe, expect, it } from "vitest";
import { shellPaths } from "./shell-paths.js";

const analyzer = await loadAnalyzer();
const options = { cwd: "/home/dev/demo", home: "/home/dev" };
const named = (script: string): string[] =>
  shellPaths(analyzer.analyzeArgv(["bash", "-c", script]) as CommandAnalysis, options);

describe("the paths a shell command names", () => {
  it("takes arguments, --flag=value values and redirection targets, not flags, descriptors or URLs", () => {
    expect(named("grep -rn --file=/etc/patterns key src 2>&1 > out.txt < /etc/hosts")).toEqual([
      "/etc/patterns",
      "/home/dev/demo/key",
      "/home/dev/demo/src",
      "/home/dev/demo/out.txt",
      "/etc/hosts",
    ]);
    expect(named("curl -o x https://example.com/a/b")).toEqual(["/home/dev/demo/x"]);
    expect(named("ls")).toEqual([]);
  });

  it("expands ~, ~user and $HOME as the shell would", () => {
    const braced = ["$", "{HOME}/.ssh"].join("");
    expect(named(`cat ~/.aws/credentials $HOME/.netrc ${braced} ~root/.ssh/id_rsa ~alice/.pgpass ~`)).toEqual(
      [
        "/home/dev/.aws/credentials",
        "/home/dev/.netrc",
        "/home/dev/.ssh",
        "/root/.ssh/id_rsa",
        "/home/alice/.pgpass",
        "/home/dev",
      ],
    );
  });

  it("places relative words in every directory the command changes into", () => {
    expect(named("cd / && cat root/.ssh/id_rsa")).toEqual([
      "/",
      "/home/dev/demo/root/.ssh/id_rsa",
      "/root/.ssh/id_rsa",
    ]);
    expect(named("cd && cat .netrc")).toEqual(["/home/dev/demo/.netrc", "/home/dev/.netrc"]);
  });

  it("gives a glob or a brace expansion its literal directory, and a path behind a variable /", () => {
    expect(named("cat ~/.ss*/id* /etc/ssl/private/*.pem src/*.ts *.md")).toEqual([
      "/home/dev",
      "/etc/ssl/private",
      "/home/dev/demo/src",
      "/home/dev/demo",
    ]);
    expect(named("cat ~/.{ssh,aws}/config")).toEqual(["/home/dev"]);
    expect(named('D=~/.ssh; cat "$D/id_rsa"; echo $PATH')).toEqual(["/"]);
  });

  it("stays bounded: past 32 directories / stands for the rest, past 512 paths / stands for them", () => {
    const chain = Array.from({ length: 40 }, (_, i) => `cd d${i}`).join(" && ");
    const cds = named(`${chain} && cat x`);
    expect([cds.length, cds.at(-1)]).toEqual([513, "/"]);
    const few = named("cd a && cd b && cat root/.ssh/id_rsa");
    expect(few).toEqual([
      "/home/dev/demo/a",
      "/home/dev/demo/a/a",
      "/home/dev/demo/b/a",
      "/home/dev/demo/a/b/a",
      "/home/dev/demo/b",
      "/home/dev/demo/a/b",
      "/home/dev/demo/b/b",
      "/home/dev/demo/a/b/b",
      "/home/dev/demo/root/.ssh/id_rsa",
      "/home/dev/demo/a/root/.ssh/id_rsa",
      "/home/dev/demo/b/root/.ssh/id_rsa",
      "/home/dev/demo/a/b/root/.ssh/id_rsa",
    ]);
  });
});
