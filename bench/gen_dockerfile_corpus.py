#!/usr/bin/env python3
"""Writes a corpus of Dockerfiles for bench/lint.sh: generated variations of the three Phase IV
services (Python backend, Next.js front ends), clean and with the mistakes generated Dockerfiles
typically make, plus every Dockerfile fixture of the test suite.

Usage: gen_dockerfile_corpus.py <out-dir> <count> [<fixtures-dir>]
The output is deterministic for a given count (seeded), so runs compare like with like.
"""

import os
import random
import shutil
import sys

PY_BASES = ["python:3.13-slim", "python:3.12-slim", "python:3.11", "python:latest", "python"]
NODE_BASES = ["node:20-alpine", "node:22-alpine", "node:20", "node:latest"]


def final_stage_end(rng, user, port, probe):
    """The lines before CMD that every service's final stage ends with: USER when the variant
    has a user, EXPOSE, and four times in five a HEALTHCHECK running the exec-form `probe`."""
    lines = [f"USER {user}"] if user else []
    lines.append(f"EXPOSE {port}")
    if rng.random() < 0.8:
        lines.append(f"HEALTHCHECK --interval=30s --timeout=3s --retries=3 \\\n  CMD {probe}")
    return lines


def python_service(rng, port):
    base = rng.choice(PY_BASES) if rng.random() < 0.4 else PY_BASES[0]
    multi = rng.random() < 0.7
    lines = ["# syntax=docker/dockerfile:1", f"# generated backend variant {rng.randrange(10**6)}"]
    if multi:
        lines += [
            f"FROM {base} AS build",
            "WORKDIR /app",
            "ENV PIP_DISABLE_PIP_VERSION_CHECK=1",
            "RUN python -m venv /opt/venv",
            'ENV PATH="/opt/venv/bin:$PATH"',
            "COPY requirements.txt .",
            "RUN pip install --no-cache-dir -r requirements.txt" if rng.random() < 0.7 else "RUN pip install -r requirements.txt",
            "",
        ]
    lines.append(f"FROM {base}")
    if rng.random() < 0.5:
        recommends = "--no-install-recommends " if rng.random() < 0.6 else ""
        cleanup = " \\\n && rm -rf /var/lib/apt/lists/*" if rng.random() < 0.6 else ""
        lines.append(f"RUN apt-get update \\\n && apt-get install -y {recommends}curl ca-certificates{cleanup}")
    user = rng.random() < 0.75
    if user:
        lines.append("RUN groupadd --gid 1000 appuser \\\n && useradd --uid 1000 --gid appuser --no-create-home appuser")
    lines.append("WORKDIR /app" if rng.random() < 0.9 else "WORKDIR app")
    lines.append('ENV PYTHONDONTWRITEBYTECODE=1 \\\n    PYTHONUNBUFFERED=1 \\\n    PATH="/opt/venv/bin:$PATH"')
    if rng.random() < 0.15:
        lines.append("ENV DATABASE_URL=postgresql://todo:todo@localhost:5432/todo")
    if multi:
        chown = "--chown=appuser:appuser " if user and rng.random() < 0.7 else ""
        lines.append(f"COPY --from=build {chown}/opt/venv /opt/venv")
    else:
        lines.append("COPY requirements.txt .")
        lines.append("RUN pip install --no-cache-dir -r requirements.txt")
    chown = "--chown=appuser:appuser " if user and rng.random() < 0.7 else ""
    lines.append(f"COPY {chown}. .")
    probe = f"[\"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://localhost:{port}/health')\"]"
    lines += final_stage_end(rng, "appuser" if user else None, port if rng.random() < 0.85 else 80, probe)
    if rng.random() < 0.8:
        lines.append(f'CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "{port}"]')
    else:
        lines.append(f"CMD uvicorn main:app --host 0.0.0.0 --port {port}")
    return "\n".join(lines) + "\n"


def node_service(rng, port):
    base = rng.choice(NODE_BASES) if rng.random() < 0.4 else NODE_BASES[0]
    install = "npm ci" if rng.random() < 0.75 else "npm install"
    lines = [f"# generated front-end variant {rng.randrange(10**6)}"]
    multi = rng.random() < 0.7
    if multi:
        lines += [
            f"FROM {base} AS deps",
            "WORKDIR /app",
            "COPY package.json package-lock.json ./",
            f"RUN {install}",
            "",
            f"FROM {base} AS build",
            "WORKDIR /app",
            "COPY --from=deps /app/node_modules ./node_modules",
            "COPY . .",
            "ENV NEXT_TELEMETRY_DISABLED=1",
            "RUN npm run build",
            "",
        ]
    lines.append(f"FROM {base}")
    lines.append("WORKDIR /app")
    if rng.random() < 0.3:
        lines.append("RUN apk add --no-cache curl" if rng.random() < 0.6 else "RUN apk update && apk add curl")
    lines.append(f"ENV NODE_ENV=production \\\n    PORT={port} \\\n    HOSTNAME=0.0.0.0")
    if rng.random() < 0.15:
        lines.append("ENV NEXT_PUBLIC_API_URL=http://localhost:8000")
    user = rng.random() < 0.75
    chown = "--chown=node:node " if user and rng.random() < 0.8 else ""
    if multi:
        lines.append(f"COPY --from=build {chown}/app/public ./public")
        lines.append(f"COPY --from=build {chown}/app/.next/standalone ./")
        lines.append(f"COPY --from=build {chown}/app/.next/static ./.next/static")
    else:
        lines.append(f"COPY {chown}. .")
        lines.append(f"RUN {install} && npm run build")
    probe = f"[\"node\", \"-e\", \"fetch('http://localhost:{port}/health').then(r => process.exit(r.ok ? 0 : 1))\"]"
    lines += final_stage_end(rng, "node" if user else None, port, probe)
    lines.append('CMD ["node", "server.js"]' if multi else 'CMD ["npm", "start"]')
    return "\n".join(lines) + "\n"


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    fixtures = sys.argv[3] if len(sys.argv) > 3 else None
    rng = random.Random(20260831)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    with open(os.path.join(out, ".dockerignore"), "w") as f:
        f.write(".git\nnode_modules\n.env\n.env.*\n!.env.example\n")
    written = 0
    if fixtures:
        for root, _, files in os.walk(fixtures):
            for name in files:
                if "Dockerfile" in name and not name.endswith(".dockerignore"):
                    target = os.path.join(out, "fixtures", f"{written:05d}-{name}")
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    shutil.copy(os.path.join(root, name), target)
                    written += 1
    services = [("backend", 8000), ("frontend-web", 3000), ("frontend-chatbot", 3001)]
    for i in range(written, count):
        service, port = services[i % 3]
        text = python_service(rng, port) if service == "backend" else node_service(rng, port)
        target = os.path.join(out, f"group-{i % 100:02d}", service, f"{i:05d}.Dockerfile")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w") as f:
            f.write(text)
    print(f"{count} Dockerfiles in {out}")


if __name__ == "__main__":
    main()
