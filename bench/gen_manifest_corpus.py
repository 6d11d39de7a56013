#!/usr/bin/env python3
"""Writes a corpus of Kubernetes manifests for bench/lint_k8s.sh: generated variations of the
Phase IV objects (Deployments, Services, ConfigMaps, PodDisruptionBudgets, NetworkPolicies and
Secret templates of the three services), clean and with the mistakes generated manifests
typically make, one or several documents per file, plus every manifest fixture of the tests.

Usage: gen_manifest_corpus.py <out-dir> <count> [<fixtures-dir>]
The output is deterministic for a given count (seeded), so runs compare like with like.
"""

import os
import random
import shutil
import sys

SERVICES = [
    # name, port, node port, component, cpu request, memory request, cpu limit, memory limit
    ("backend", 8000, None, "api", "250m", "256Mi", "500m", "512Mi"),
    ("frontend-web", 3000, 30000, "frontend", "100m", "128Mi", "200m", "256Mi"),
    ("frontend-chatbot", 3001, 30001, "frontend", "100m", "128Mi", "200m", "256Mi"),
]


def labels(rng, name, indent):
    pad = " " * indent
    keys = [("app.kubernetes.io/name", name), ("app.kubernetes.io/instance", "todo"),
            ("app.kubernetes.io/part-of", "todo-app")]
    if rng.random() < 0.15:
        keys = [("app", name)]
    return "".join(f"{pad}{k}: {v}\n" for k, v in keys)


def deployment(rng, service, variant):
    name, port, _, component, cpu_r, mem_r, cpu_l, mem_l = service
    replicas = 2 if rng.random() < 0.8 else 1
    image = f"todo-app/{name}:1.{rng.randrange(10)}.{rng.randrange(10)}"
    if rng.random() < 0.15:
        image = f"todo-app/{name}:latest"
    text = f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: todo-app
  labels:
{labels(rng, name, 4)}  annotations:
    aigen.dev/variant: "{variant}"
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
"""
    if rng.random() < 0.8:
        text += """  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
"""
    text += f"""  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
        app.kubernetes.io/component: {component}
    spec:
"""
    if rng.random() < 0.8:
        text += """      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        seccompProfile:
          type: RuntimeDefault
"""
    text += f"""      containers:
        - name: {name}
          image: {image}
          ports:
            - name: http
              containerPort: {port}
          env:
            - name: LOG_LEVEL
              value: info
"""
    if name == "backend":
        if rng.random() < 0.1:
            text += """            - name: DATABASE_URL
              value: postgresql://todo:s3cr3t-pass@db.internal/todo
"""
        else:
            text += """            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: todo-secrets
                  key: DATABASE_URL
"""
    if rng.random() < 0.85:
        text += f"""          resources:
            requests:
              cpu: {cpu_r}
              memory: {mem_r}
            limits:
              cpu: {cpu_l if rng.random() < 0.9 else "1"}
              memory: {mem_l}
"""
    probe_port = "http" if rng.random() < 0.9 else str(port + 80)
    if rng.random() < 0.85:
        text += f"""          livenessProbe:
            httpGet:
              path: /health
              port: {probe_port}
            initialDelaySeconds: 10
            periodSeconds: 30
          readinessProbe:
            httpGet:
              path: {"/ready" if rng.random() < 0.85 else "/health"}
              port: {probe_port}
            initialDelaySeconds: 5
            periodSeconds: 10
"""
    if rng.random() < 0.75:
        text += """          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
"""
    return text


def service(rng, svc):
    name, port, node_port, *_ = svc
    kind = "ClusterIP" if node_port is None else "NodePort"
    if rng.random() < 0.1:
        kind = "LoadBalancer"
    text = f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: todo-app
  labels:
{labels(rng, name, 4)}spec:
  type: {kind}
  selector:
    app.kubernetes.io/name: {name}
  ports:
    - name: http
      port: {port}
      targetPort: {"http" if rng.random() < 0.9 else port + 80}
"""
    if kind == "NodePort":
        text += f"      nodePort: {node_port}\n"
    return text


def config_map(rng):
    extra = '  OPENAI_API_KEY: "sk-proj-Zm9vYmFyYmF6cXV4cXV1eA"\n' if rng.random() < 0.05 else ""
    return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: todo-config
  namespace: todo-app
  labels:
{labels(rng, "todo-config", 4)}data:
  API_URL: "http://backend.todo-app.svc.cluster.local:8000"
  LOG_LEVEL: "info"
  LOG_FORMAT: "json"
{extra}"""


def pdb(rng, svc):
    name = svc[0]
    return f"""apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {name}
  namespace: todo-app
  labels:
{labels(rng, name, 4)}spec:
  minAvailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
"""


def network_policy(rng):
    return f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: backend-from-frontends
  namespace: todo-app
  labels:
{labels(rng, "backend", 4)}spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: backend
  policyTypes: ["Ingress"]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app.kubernetes.io/component: frontend
      ports:
        - port: 8000
"""


def secret_example(rng):
    return f"""apiVersion: v1
kind: Secret
metadata:
  name: todo-secrets
  namespace: todo-app
  labels:
{labels(rng, "todo-secrets", 4)}type: Opaque
stringData:
  DATABASE_URL: "postgresql://<user>:<password>@<host>/todo"
  OPENAI_API_KEY: "<your-openai-api-key>"
  BETTER_AUTH_SECRET: "<random>"
"""


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    fixtures = sys.argv[3] if len(sys.argv) > 3 else None
    rng = random.Random(4)
    os.makedirs(out, exist_ok=True)
    written = 0
    if fixtures:
        for root, _, files in os.walk(fixtures):
            for name in sorted(files):
                if name.endswith((".yaml", ".yml", ".yaml.example")):
                    target = os.path.join(out, f"fixture-{written:05d}-{name}")
                    shutil.copy(os.path.join(root, name), target)
                    written += 1
    while written < count:
        svc = rng.choice(SERVICES)
        roll = rng.random()
        if roll < 0.35:
            docs, name = [deployment(rng, svc, written)], f"{svc[0]}-deployment"
        elif roll < 0.55:
            docs, name = [service(rng, svc)], f"{svc[0]}-service"
        elif roll < 0.75:
            docs = [deployment(rng, svc, written), service(rng, svc), pdb(rng, svc)]
            name = f"{svc[0]}-bundle"
        elif roll < 0.85:
            docs, name = [config_map(rng)], "configmap"
        elif roll < 0.92:
            docs, name = [pdb(rng, svc), network_policy(rng)], "policies"
        else:
            docs, name = [secret_example(rng)], "secret"
        suffix = ".yaml.example" if name == "secret" else ".yaml"
        path = os.path.join(out, f"{written:05d}-{name}{suffix}")
        with open(path, "w") as f:
            f.write("---\n".join(docs))
        written += 1


if __name__ == "__main__":
    main()
