#!/usr/bin/env python3
"""Writes a corpus of Deployment + Service pairs for bench/lint_k8s.sh: one file per pair, each
pair with labels of its own (`app.kubernetes.io/name: app-<n>`), in a handful of namespaces, so
every Service selects exactly one workload. This is the shape that makes cross-object rules
quadratic when each Service scans every workload: the time of a linear linter grows with the
number of files, nothing more.

Usage: gen_pair_corpus.py <out-dir> <pairs>
The output is deterministic (no randomness): pair n is always the same text.
"""

import os
import sys

NAMESPACES = ["shop", "billing", "search", "auth", "media"]


def pair(n):
    name = f"app-{n:05d}"
    namespace = NAMESPACES[n % len(NAMESPACES)]
    port = 8000 + n % 1000
    # The metadata the Deployment and the Service share.
    metadata = (
        f"metadata:\n  name: {name}\n  namespace: {namespace}\n  labels:\n"
        f"    app.kubernetes.io/name: {name}\n    app.kubernetes.io/instance: {name}\n"
        "    app.kubernetes.io/part-of: corpus\n"
    )
    return f"""apiVersion: apps/v1
kind: Deployment
{metadata}spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
        app.kubernetes.io/instance: {name}
        app.kubernetes.io/part-of: corpus
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: {name}
          image: registry.example.com/{name}:1.{n % 10}.0
          ports:
            - name: http
              containerPort: {port}
          resources:
            requests:
              cpu: 10m
              memory: 16Mi
            limits:
              cpu: 20m
              memory: 32Mi
          livenessProbe:
            httpGet:
              path: /health
              port: http
            initialDelaySeconds: 10
            periodSeconds: 30
          readinessProbe:
            httpGet:
              path: /ready
              port: http
            initialDelaySeconds: 5
            periodSeconds: 10
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
---
apiVersion: v1
kind: Service
{metadata}spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: {name}
  ports:
    - name: http
      port: 80
      targetPort: http
"""


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    out, pairs = sys.argv[1], int(sys.argv[2])
    for n in range(pairs):
        directory = os.path.join(out, f"{n // 1000:02d}")
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, f"app-{n:05d}.yaml"), "w") as f:
            f.write(pair(n))


if __name__ == "__main__":
    main()
