#!/usr/bin/env python3
"""Runs aigen as a new user would on public applications and judges what it generates by
building and running it on a real Docker Engine.

    bench/realworld/run.py --src DIR [--aigen PATH] [--work DIR] [--out DIR]
                           [--services A,B] [NAME ...]

For each application of repos.tsv (or only the NAMEs given), DIR/<name> must hold a checkout of
its repository at the listed commit (a `.git` there is checked against the commit; without one,
a file `DIR/<name>.commit` may name it). Nothing of these checkouts is kept in this repository.
On a copy of each checkout in --work, the script runs, in order:

1. `aigen detect --format json` before anything is written: the services aigen sees and the
   folders it sets aside, each with its reason;
2. `aigen init`, then `aigen generate --provider builtin --yes` (no hand edits, ever);
3. `aigen verify --all --format json` (or only the services of `--services`, a re-run of a few
   services after a fix; the table then lists only those): every service's image built from the generated
   Dockerfile, started read-only with the settings of the generated manifests (no network), and
   judged (stays up, listens, HEALTHCHECK healthy, health paths answer).

It writes --out/<name>.json (the three reports) and --out/results.md: one row per service
(built, healthy, and why not) and per folder set aside, and the totals. The images it built are
removed afterwards unless --keep-images. Needs DOCKER_HOST (see docs/engine.md: the stand-in
base images must be built, `bash .ci/engine.sh images`) and the `docker` client on PATH.
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def load_repos():
    with open(os.path.join(HERE, "repos.tsv"), newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def checked_out_commit(src, name):
    """The commit the checkout is at, or None when it cannot be told."""
    if os.path.exists(os.path.join(src, name, ".git")):
        proc = subprocess.run(["git", "-C", os.path.join(src, name), "rev-parse", "HEAD"],
                              capture_output=True, text=True)
        return proc.stdout.strip() or None
    marker = os.path.join(src, name + ".commit")
    if os.path.exists(marker):
        with open(marker) as f:
            return f.read().strip()
    return None


def aigen(binary, cwd, *args, timeout=None):
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "NO_COLOR": "1"}
    if "DOCKER_HOST" in os.environ:
        env["DOCKER_HOST"] = os.environ["DOCKER_HOST"]
    started = time.monotonic()
    try:
        proc = subprocess.run([binary, *args], cwd=cwd, capture_output=True, text=True,
                              env=env, timeout=timeout)
        code, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as e:
        code, out, err = None, e.stdout or "", f"timed out after {timeout} s"
        out = out.decode() if isinstance(out, bytes) else out
    return {"args": list(args), "code": code, "stdout": out, "stderr": err,
            "seconds": round(time.monotonic() - started, 1)}


def parse(run):
    try:
        return json.loads(run["stdout"])
    except (json.JSONDecodeError, TypeError):
        return None


def one_line(text, limit=160):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def why_not_built(image):
    """The build's own error: the first log line that says what went wrong, else aigen's finding."""
    build = image.get("build") or {}
    step = (build.get("failed_step") or {}).get("instruction", "")
    if step.startswith("FROM "):
        base = step.split()[1]
        return (f"no `{base}` base image on this machine (no registry is reachable; the "
                "stand-ins of docs/engine.md are the only base images)")
    tail = [line.strip() for line in build.get("log_tail") or [] if line.strip()]
    markers = ("error", "Error", "ERROR", "not found", "No such", "failed", "cannot", "Cannot")
    said = [line for line in tail if any(m in line for m in markers)
            and "returned a non-zero code" not in line and "A complete log" not in line]
    if said:
        return one_line(said[0])
    if build.get("error"):
        return one_line(build["error"])
    for finding in image.get("findings") or []:
        if finding.get("code") == "AG-D102":
            return one_line(finding.get("message", ""))
    return one_line(image.get("summary", ""))


def why_not_healthy(image):
    run = image.get("run") or {}
    problems = run.get("problems") or []
    if problems:
        return one_line("; ".join(str(p) for p in problems))
    logs = [line for line in run.get("logs") or [] if line.strip()]
    return one_line(logs[-1]) if logs else one_line(image.get("summary", ""))


def judge_app(repo, args):
    name = repo["name"]
    work = os.path.join(args.work, name)
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(os.path.join(args.src, name), work, symlinks=True,
                    ignore=shutil.ignore_patterns(".git"))
    detect = aigen(args.aigen, work, "detect", "--format", "json")
    init = aigen(args.aigen, work, "init")
    generate = aigen(args.aigen, work, "generate", "--provider", "builtin", "--yes")
    chosen = ["--all"] if not args.services else args.services
    verify = aigen(args.aigen, work, "verify", *chosen, "--format", "json",
                   "--timeout", str(args.build_timeout), timeout=args.app_timeout)
    report = {"name": name, "commit": repo["commit"], "detect": detect, "init": init,
              "generate": generate, "verify": verify}
    with open(os.path.join(args.out, name + ".json"), "w") as f:
        json.dump(report, f, indent=1)
    rows = []
    detected = parse(detect) or {}
    verified = parse(verify) or {}
    languages = {s["name"]: (s.get("language") or {}).get("value", "?")
                 for s in detected.get("services", [])}
    paths = {s["name"]: s["path"] for s in detected.get("services", [])
             if not args.services or s["name"] in args.services}
    judged = set()
    for image in verified.get("images", []):
        service = image["service"]
        judged.add(service)
        build = image.get("build") or {}
        run = image.get("run") or {}
        built = bool(build.get("built"))
        healthy = run.get("verdict") == "healthy"
        if not built:
            why = "build: " + why_not_built(image)
        elif not healthy:
            why = f"run ({run.get('verdict', 'not run')}): " + why_not_healthy(image)
        else:
            why = ""
        rows.append({"app": name, "service": service, "path": paths.get(service, "?"),
                     "language": languages.get(service, "?"), "built": built,
                     "healthy": healthy, "build_s": round((build.get("duration_ms") or 0) / 1000),
                     "why": why})
    for missing in verified.get("missing", []):
        service = missing if isinstance(missing, str) else missing.get("service", str(missing))
        judged.add(service)
        rows.append({"app": name, "service": service, "path": paths.get(service, "?"),
                     "language": languages.get(service, "?"), "built": False, "healthy": False,
                     "build_s": 0, "why": "no Dockerfile: " + one_line(missing)})
    for service in sorted(set(paths) - judged):
        why = verify["stderr"] if verify["code"] is None else "not judged by verify"
        rows.append({"app": name, "service": service, "path": paths[service],
                     "language": languages.get(service, "?"), "built": False, "healthy": False,
                     "build_s": 0, "why": one_line(why)})
    skipped = [{"app": name, "path": s["path"], "reason": s.get("reason", ""),
                "detail": s.get("detail", ""), "source": s.get("source", "")}
               for s in detected.get("skipped", [])]
    if not args.keep_images:
        tags = [(i.get("build") or {}).get("tag") for i in verified.get("images", [])]
        tags = [t for t in tags if t]
        if tags:
            subprocess.run(["docker", "rmi", "-f", *tags], capture_output=True)
    steps = {k: report[k]["code"] for k in ("detect", "init", "generate", "verify")}
    return name, rows, skipped, steps, verify["seconds"]


def table(results, aigen_version):
    services = [r for _, rows, _, _, _ in results for r in rows]
    skipped = [s for _, _, sk, _, _ in results for s in sk]
    built = sum(r["built"] for r in services)
    healthy = sum(r["healthy"] for r in services)
    unexplained = [s for s in skipped if not s["reason"]]
    pct = lambda n: f"{100 * n / len(services):.0f}%" if services else "n/a"
    out = [f"# aigen on public applications: built and healthy with builtin output",
           "",
           f"aigen: `{aigen_version}`; generated with `generate --provider builtin --yes`, no hand "
           "edits; judged with `verify --all` on the Docker Engine of docs/engine.md.",
           "",
           f"- services: {len(services)}; images built: {built} ({pct(built)}); built and "
           f"healthy: {healthy} ({pct(healthy)})",
           f"- folders set aside: {len(skipped)}, without a reason: {len(unexplained)}",
           "",
           "| application | service | language | built | healthy | build s | why not |",
           "|---|---|---|---|---|---|---|"]
    for r in services:
        out.append(f"| {r['app']} | {r['service']} (`{r['path']}`) | {r['language']} | "
                   f"{'yes' if r['built'] else 'no'} | {'yes' if r['healthy'] else 'no'} | "
                   f"{r['build_s']} | {r['why'].replace('|', '/')} |")
    out += ["", "## Set aside by detection", "",
            "| application | folder | reason | detail |", "|---|---|---|---|"]
    for s in skipped:
        out.append(f"| {s['app']} | `{s['path']}` | {s['reason']} | "
                   f"{one_line(s['detail']).replace('|', '/')} ({s['source']}) |")
    out += ["", "## Steps", "", "| application | detect | init | generate | verify | verify s |",
            "|---|---|---|---|---|---|"]
    for name, _, _, steps, seconds in results:
        out.append(f"| {name} | {steps['detect']} | {steps['init']} | {steps['generate']} | "
                   f"{steps['verify']} | {seconds} |")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", required=True, help="folder of checkouts, one per name")
    parser.add_argument("--aigen", default="aigen", help="the aigen binary to run")
    parser.add_argument("--work", default="/tmp/aigen-realworld/work")
    parser.add_argument("--out", default="/tmp/aigen-realworld/out")
    parser.add_argument("--build-timeout", type=int, default=1200)
    parser.add_argument("--app-timeout", type=int, default=5400)
    parser.add_argument("--keep-images", action="store_true")
    parser.add_argument("--services", type=lambda v: [s for s in v.split(",") if s],
                        default=[], help="verify only these services (comma-separated names "
                        "from `aigen detect`); init and generate still cover the whole app")
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    if "DOCKER_HOST" not in os.environ:
        sys.exit("run.py: DOCKER_HOST is not set: eval \"$(bash .ci/engine.sh env)\" first")
    args.aigen = shutil.which(args.aigen) or args.aigen
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    repos = [r for r in load_repos() if not args.names or r["name"] in args.names]
    results = []
    for repo in repos:
        commit = checked_out_commit(args.src, repo["name"])
        if commit and commit != repo["commit"]:
            print(f"{repo['name']}: checkout is at {commit}, repos.tsv names {repo['commit']}",
                  file=sys.stderr)
        print(f"{repo['name']}: ...", file=sys.stderr, flush=True)
        result = judge_app(repo, args)
        _, rows, skipped, _, seconds = result
        print(f"{repo['name']}: {sum(r['healthy'] for r in rows)}/{len(rows)} healthy, "
              f"{len(skipped)} set aside, verify {seconds} s", file=sys.stderr, flush=True)
        results.append(result)
        version = subprocess.run([args.aigen, "--version"], capture_output=True, text=True)
        with open(os.path.join(args.out, "results.md"), "w") as f:
            f.write(table(results, version.stdout.strip()))
    print(os.path.join(args.out, "results.md"))


if __name__ == "__main__":
    main()
