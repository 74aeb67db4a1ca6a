#!/usr/bin/env bash
# Package check (run by .ci/run; `npm run pack-check` by hand): a fresh clone of this repository's
# committed HEAD is packed with `npm pack`, the tarball is installed globally under a temporary
# prefix, the installed `llmsim` runs the quickstart from another directory, and a TypeScript
# file importing the library (`import { loadScenario, simulate, summarize } from 'llmsim'`)
# type-checks and runs. Needs the npm registry (or a warm npm cache) for the dependencies, so it
# is a CI script, not part of `npm test`. Everything goes under one temporary directory, removed
# at the end whatever happens.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/llmsim-pack-check.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# llmsim run's code cache (src/code-cache.ts) under the same directory, not the user's ~/.cache.
export LLMSIM_CODE_CACHE="$tmp/code-cache"
step() { printf 'pack-check: %s\n' "$*"; }

step "fresh clone of $(git -C "$repo" rev-parse --short HEAD)"
git clone --quiet --no-hardlinks "$repo" "$tmp/clone"
(cd "$tmp/clone" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

step "npm pack"
tarball="$(cd "$tmp/clone" && npm pack --silent --pack-destination "$tmp")"
tar -tzf "$tmp/$tarball" > "$tmp/contents"
for f in package/LICENSE package/schema/scenario.schema.json package/dist/index.js package/dist/index.d.ts package/dist/cli.js package/dist/run.cjs package/dist/run.cjs.sha256 package/scenarios/quickstart.yaml; do
  grep -qx "$f" "$tmp/contents" || { echo "pack-check: $f is missing from $tarball" >&2; exit 1; }
done

step "npm install -g --prefix <tmp> $tarball"
npm install -g --prefix "$tmp/prefix" "$tmp/$tarball" --no-audit --no-fund --loglevel=error >/dev/null
pkg="$tmp/prefix/lib/node_modules/llmsim"

step "quickstart from another directory"
mkdir -p "$tmp/elsewhere"
(cd "$tmp/elsewhere" && "$tmp/prefix/bin/llmsim" run "$pkg/scenarios/quickstart.yaml" -o out/qs -q)
test -s "$tmp/elsewhere/out/qs/summary.json" || { echo 'pack-check: the quickstart wrote no summary.json' >&2; exit 1; }
step "the installed run saved its code cache, and a run from the cache writes the same files"
ls "$tmp/code-cache"/code-*.bin >/dev/null 2>&1 || { echo 'pack-check: llmsim run saved no code cache' >&2; exit 1; }
(cd "$tmp/elsewhere" && "$tmp/prefix/bin/llmsim" run "$pkg/scenarios/quickstart.yaml" -o out/qs2 -q)
for f in summary.json requests.csv; do
  cmp -s "$tmp/elsewhere/out/qs/$f" "$tmp/elsewhere/out/qs2/$f" || { echo "pack-check: $f differs between the first run and the run from the code cache" >&2; exit 1; }
done
node -e 'const s=require(process.argv[1]); if (s.requests.total !== 2867) { console.error("pack-check: quickstart ran " + s.requests.total + " requests, expected 2867"); process.exit(1); }' "$tmp/elsewhere/out/qs/summary.json"

step "a TypeScript file importing the library type-checks and runs"
mkdir -p "$tmp/user/node_modules"
ln -s "$pkg" "$tmp/user/node_modules/llmsim"
cat > "$tmp/user/package.json" <<'JSON'
{ "name": "llmsim-user", "private": true, "type": "module" }
JSON
cat > "$tmp/user/tsconfig.json" <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true, "skipLibCheck": true, "types": [], "outDir": "out" }, "files": ["use.ts"] }
JSON
cat > "$tmp/user/use.ts" <<'TS'
import { loadScenario, simulate, summarize, InputError, type Summary } from 'llmsim';
const loaded = loadScenario(process.argv[2]!);
const result = simulate(loaded);
const summary: Summary = summarize(result, { slo: loaded.scenario.slo, name: loaded.scenario.name });
const p99: number | null = summary.latency.ttftS.p99;
console.log(JSON.stringify({ total: summary.requests.total, p99, isError: new InputError({}, 'x') instanceof Error }));
declare const process: { argv: string[] };
TS
node "$tmp/clone/node_modules/typescript/bin/tsc" -p "$tmp/user/tsconfig.json"
out="$(cd "$tmp/user" && node out/use.js "$pkg/scenarios/quickstart.yaml")"
case "$out" in '{"total":2867,'*) ;; *) echo "pack-check: library run printed $out" >&2; exit 1 ;; esac
step "ok ($tarball: CLI and library work from a global install)"
