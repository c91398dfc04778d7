#!/usr/bin/env bash
# deploy/ (systemd units, Kubernetes manifests) against the real CLI and golden files:
# every gaggle invocation's subcommand and flags exist (`gaggle SUBCMD --help`), every
# reference between manifests resolves, and a normalised rendering of each file equals its
# golden file under tests/integration/deploy_golden/ (see deploy_manifests.py). After an
# intended change: python3 tests/integration/deploy_manifests.py build/gaggle . --update
source "$ROOT/tests/lib.sh"
G="$1"
PY=/usr/bin/python3

# The checker itself must fail on broken manifests: a copy with a misspelt flag, an
# undefined $(VAR), a rolling coordinator, an edited value, a manifest that the
# kustomization forgets and a listen port the container does not declare.
mkdir -p broken/tests/integration
cp -r "$ROOT/deploy" broken/deploy
cp -r "$ROOT/tests/integration/deploy_golden" broken/tests/integration/
sed -i 's/- --artifacts$/- --artefacts/; s/type: Recreate/type: RollingUpdate/' broken/deploy/kubernetes/coordinator.yaml
sed -i 's/\$(POD_NAME)/$(POD_NAM)/' broken/deploy/kubernetes/worker.yaml
sed -i 's/^GAGGLE_WORKER_SLOTS=2$/GAGGLE_WORKER_SLOTS=3/' broken/deploy/systemd/gaggle.env.example
sed -i '/- worker.yaml/d' broken/deploy/kubernetes/kustomization.yaml
sed -i 's/GAGGLE_LISTEN: 0.0.0.0:8080/GAGGLE_LISTEN: 0.0.0.0:9090/' broken/deploy/kubernetes/configmap.yaml
rc=0
$PY "$ROOT/tests/integration/deploy_manifests.py" "$G" "$PWD/broken" 2> broken.err || rc=$?
expect_eq "$rc" 1 "checker's exit status on broken manifests"
for want in "has no flag --artefacts" "strategy is not Recreate" 'uses $(POD_NAM)' \
            "systemd/gaggle.env.example: differs from its golden file" "+GAGGLE_WORKER_SLOTS=3" \
            "does not list kubernetes/worker.yaml" "listens on 0.0.0.0:9090, a port the container does not"; do
  grep -qF -- "$want" broken.err || fail "checker did not report '$want'; it said: $(cat broken.err)"
done

# systemd's own parser, where it is installed (Debian's systemd package): it reports unknown
# directives and bad values as warnings, so any output fails. A copy points at this build's
# binary and the example environment file (verify checks that ExecStart= is executable).
if command -v systemd-analyze > /dev/null; then
  mkdir units
  for u in "$ROOT"/deploy/systemd/*.service; do
    sed "s|/usr/local/bin/gaggle|$G|; s|^EnvironmentFile=/etc/gaggle/gaggle.env|EnvironmentFile=$ROOT/deploy/systemd/gaggle.env.example|" \
      "$u" > "units/$(basename "${u/@.service/@1.service}")"
  done
  (cd units && systemd-analyze verify ./*.service) > verify.out 2>&1 || true
  [[ ! -s verify.out ]] || fail "systemd-analyze verify: $(cat verify.out)"
  sed -i 's/^ProtectSystem=strict/ProtectSystem=bogus/' units/gaggle-coordinator.service
  (cd units && systemd-analyze verify ./gaggle-coordinator.service) > verify.out 2>&1 || true
  grep -q "bogus" verify.out || fail "systemd-analyze verify did not notice a bad value: $(cat verify.out)"
else
  echo "systemd-analyze not installed: the units' systemd parse is not checked"
fi

# The real manifests. PENDING (issue 16): until `gaggle worker` and `--local-workers` are on
# main, this fails naming them ("expected until ... are on main").
$PY "$ROOT/tests/integration/deploy_manifests.py" "$G" "$ROOT" || fail "deploy manifests (above)"
echo "deploy manifests: ok"
