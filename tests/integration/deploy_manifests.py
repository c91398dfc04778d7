#!/usr/bin/env python3
"""Checks deploy/ (systemd units, Kubernetes manifests) against the real CLI and golden files.

usage: deploy_manifests.py GAGGLE ROOT [--update]

1. Every manifest is rendered in a normalised form (YAML: one `path = json-value` line per
   scalar, keys sorted; systemd units: `[Section] Key=Value` in file order; environment
   files: KEY=VALUE), and compared with tests/integration/deploy_golden/: any change to a
   manifest is a visible diff there (--update rewrites the golden files).
2. Every `gaggle` invocation (ExecStart=, container command+args) names a subcommand that
   `gaggle SUBCMD --help` knows, and only flags that help lists.
3. What the manifests refer to exists: $(VAR) in args and ${VAR} in ExecStart are defined
   (container env, the example environment file); ConfigMap, Secret and PVC references
   name keys and objects that the manifests define; probes and the Service use declared
   ports (also the port gaggle listens on); the kustomization lists every manifest but the
   examples; the coordinator is one replica replaced with Recreate, ready from /readyz and
   alive from /healthz.
Exit status 1 with every problem listed, 0 when all hold.
"""
import difflib
import json
import os
import re
import shlex
import subprocess
import sys

import yaml

# PENDING (issue 16): `gaggle worker` and `--local-workers` (of `serve` and `run`) are being
# built on the lead's branch. Until they are on main, check 2 fails for them, and says so.
PENDING_NOTE = " (expected until `gaggle worker` / `--local-workers` from issue 16 are on main)"
PENDING = {("worker", None), ("serve", "--local-workers"), ("run", "--local-workers")}

problems = []


def problem(where, what):
    problems.append(f"{where}: {what}")


# ---- rendering -------------------------------------------------------------------------

def flatten(node, path, out):
    if isinstance(node, dict):
        if not node:
            out.append(f"{path} = {{}}")
        for k in sorted(node, key=str):
            flatten(node[k], f"{path}.{k}" if path else str(k), out)
    elif isinstance(node, list):
        if not node:
            out.append(f"{path} = []")
        for i, v in enumerate(node):
            flatten(v, f"{path}[{i}]", out)
    else:
        out.append(f"{path} = {json.dumps(node)}")


def render_yaml(docs):
    out = []
    for i, d in enumerate(docs):
        out.append(f"--- document {i}: {d.get('kind', '?')} {d.get('metadata', {}).get('name', '')}".rstrip())
        flatten(d, "", out)
    return out


def unit_lines(text):
    """(section, key, value) of a systemd unit, continuation lines joined, comments dropped."""
    lines, section, pending = [], "", ""
    for raw in text.splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, _, value = line.partition("=")
        lines.append((section, key.strip(), " ".join(value.split())))
    return lines


def env_lines(text):
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


# ---- the CLI ---------------------------------------------------------------------------

help_cache = {}


def cli_flags(gaggle, sub):
    """The long flags `gaggle SUB --help` lists, or None when SUB is no subcommand."""
    if sub not in help_cache:
        r = subprocess.run([gaggle, sub, "--help"], capture_output=True, text=True, timeout=30)
        # An unknown subcommand prints the top-level help (exit 0): its usage line lacks SUB.
        known = r.returncode == 0 and re.search(r"^Usage: \S+ " + re.escape(sub) + r" ", r.stdout, re.M)
        help_cache[sub] = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", r.stdout)) if known else None
    return help_cache[sub]


def check_invocation(gaggle, where, argv):
    if not argv:
        problem(where, "gaggle is started without a subcommand")
        return
    sub = argv[0]
    flags = cli_flags(gaggle, sub)
    if flags is None:
        note = PENDING_NOTE if (sub, None) in PENDING else ""
        problem(where, f"`gaggle {sub}` is not a gaggle subcommand{note}")
        return
    for tok in argv[1:]:
        if tok.startswith("--"):
            flag = tok.split("=", 1)[0]
            if flag not in flags:
                note = PENDING_NOTE if (sub, flag) in PENDING else ""
                problem(where, f"`gaggle {sub}` has no flag {flag}{note}")


# ---- systemd ---------------------------------------------------------------------------

def check_systemd(gaggle, path, lines, env_defined):
    name = os.path.basename(path)
    sections = {s for s, _, _ in lines}
    for s in ("Unit", "Service", "Install"):
        if s not in sections:
            problem(name, f"no [{s}] section")
    keys = {(s, k): v for s, k, v in lines}
    if not any(k == "EnvironmentFile" for _, k, _ in lines):
        problem(name, "reads no EnvironmentFile=")
    for required in ("NoNewPrivileges", "ProtectSystem", "ReadWritePaths"):
        if ("Service", required) not in keys:
            problem(name, f"no {required}= (hardening)")
    if keys.get(("Service", "ProtectSystem")) != "strict":
        problem(name, "ProtectSystem= is not strict")
    for s, k, v in lines:
        if not k.startswith("Exec"):
            continue
        argv = shlex.split(v.lstrip("-@:+!"))
        if not argv or os.path.basename(argv[0]) != "gaggle":
            continue
        for var in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", v):
            if var not in env_defined:
                problem(name, f"{k}= uses ${{{var}}}, which the example environment file does not define")
        check_invocation(gaggle, f"{name} {k}=", argv[1:])


# ---- Kubernetes ------------------------------------------------------------------------

def pod_specs(doc):
    if doc.get("kind") in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        return [doc["spec"]["template"]]
    return []


def check_kubernetes(gaggle, docs_by_file):
    all_docs = [(f, d) for f, docs in docs_by_file.items() for d in docs]
    config = {d["metadata"]["name"]: dict(d.get("data", {})) for _, d in all_docs if d.get("kind") == "ConfigMap"}
    secrets = {d["metadata"]["name"]: set(d.get("stringData", {})) | set(d.get("data", {}))
               for _, d in all_docs if d.get("kind") == "Secret"}
    claims = {d["metadata"]["name"] for _, d in all_docs if d.get("kind") == "PersistentVolumeClaim"}
    for f, d in all_docs:
        where = f"{f} {d.get('kind')} {d.get('metadata', {}).get('name')}"
        for tmpl in pod_specs(d):
            spec = tmpl["spec"]
            volumes = {v["name"] for v in spec.get("volumes", [])}
            for v in spec.get("volumes", []):
                claim = v.get("persistentVolumeClaim", {}).get("claimName")
                if claim and claim not in claims:
                    problem(where, f"volume {v['name']} claims {claim}, which no manifest defines")
            for c in spec.get("initContainers", []) + spec["containers"]:
                check_container(gaggle, f"{where} container {c['name']}", c, config, secrets, volumes)
        if d.get("kind") == "Deployment" and d["metadata"]["name"].endswith("coordinator"):
            check_coordinator(where, d)
        if d.get("kind") == "Service":
            check_service(where, d, [x for _, x in all_docs])
        if d.get("kind") == "Kustomization":
            check_kustomization(where, f, d, docs_by_file)


def check_kustomization(where, path, d, docs_by_file):
    """Every resource it lists exists, and it lists every manifest but the examples."""
    folder = os.path.dirname(path)
    listed = {os.path.normpath(os.path.join(folder, r)) for r in d.get("resources", [])}
    for r in sorted(listed - set(docs_by_file)):
        problem(where, f"lists {r}, which does not exist")
    for f in sorted(set(docs_by_file) - listed - {path}):
        if os.path.dirname(f) == folder and ".example." not in f:
            problem(where, f"does not list {f}")


def check_container(gaggle, where, c, config, secrets, volumes):
    env = set()
    known = {}  # values the manifests fix: literal, or from the ConfigMap
    for ef in c.get("envFrom", []):
        data = config.get(ef.get("configMapRef", {}).get("name"), {})
        env |= set(data)
        known.update(data)
    for e in c.get("env", []):
        env.add(e["name"])
        if "value" in e:
            known[e["name"]] = str(e["value"])
        ref = e.get("valueFrom", {})
        if "configMapKeyRef" in ref:
            r = ref["configMapKeyRef"]
            if r["key"] not in config.get(r["name"], {}):
                problem(where, f"env {e['name']} reads key {r['key']} of ConfigMap {r['name']}, which has none")
            else:
                known[e["name"]] = str(config[r["name"]][r["key"]])
        if "secretKeyRef" in ref:
            r = ref["secretKeyRef"]
            if r["key"] not in secrets.get(r["name"], set()):
                problem(where, f"env {e['name']} reads key {r['key']} of Secret {r['name']}, which has none")
    for m in c.get("volumeMounts", []):
        if m["name"] not in volumes:
            problem(where, f"mounts volume {m['name']}, which the pod does not declare")
    command, args = c.get("command", []), c.get("args", [])
    for a in command + args:
        if not isinstance(a, str):
            problem(where, f"argument {a!r} is not a string (Kubernetes rejects it)")
            continue
        for var in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", a):
            if var not in env:
                problem(where, f"argument {a} uses $({var}), which the container's env does not define "
                               "(Kubernetes would pass it literally)")
    if command and os.path.basename(str(command[0])) == "gaggle":
        check_invocation(gaggle, where, [str(a) for a in command[1:] + args])
        # The address gaggle listens on, as Kubernetes expands it, is a port the container declares.
        argv = [re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: known.get(m.group(1), m.group(0)), str(a))
                for a in command[1:] + args]
        ports = {p["containerPort"] for p in c.get("ports", [])}
        for flag, value in zip(argv, argv[1:]):
            if flag == "--listen" and re.fullmatch(r".*:\d+", value) and int(value.rsplit(":", 1)[1]) not in ports:
                problem(where, f"gaggle listens on {value}, a port the container does not declare ({sorted(ports)})")


def probe_path(c, kind):
    return c.get(kind, {}).get("httpGet", {}).get("path")


def check_coordinator(where, d):
    spec = d["spec"]
    if spec.get("replicas") != 1:
        problem(where, f"replicas is {spec.get('replicas')}, not 1")
    if spec.get("strategy", {}).get("type") != "Recreate":
        problem(where, "strategy is not Recreate (a rolling update runs two coordinators)")
    c = spec["template"]["spec"]["containers"][0]
    if probe_path(c, "readinessProbe") != "/readyz":
        problem(where, "readiness is not from /readyz")
    if probe_path(c, "livenessProbe") != "/healthz":
        problem(where, "liveness is not from /healthz")
    ports = {p.get("name") for p in c.get("ports", [])} | {p["containerPort"] for p in c.get("ports", [])}
    for kind in ("readinessProbe", "livenessProbe"):
        port = c.get(kind, {}).get("httpGet", {}).get("port")
        if port not in ports:
            problem(where, f"{kind} uses port {port}, which the container does not declare")


def check_service(where, svc, docs):
    selector = svc["spec"].get("selector", {})
    targets = [d for d in docs for t in pod_specs(d)
               if selector and all(t["metadata"].get("labels", {}).get(k) == v for k, v in selector.items())]
    if len(targets) != 1:
        problem(where, f"selects {len(targets)} workloads, not 1")
        return
    names = {p.get("name") for c in targets[0]["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])}
    for p in svc["spec"]["ports"]:
        if isinstance(p.get("targetPort"), str) and p["targetPort"] not in names:
            problem(where, f"targetPort {p['targetPort']} is no port of the selected pods")


# ---- main ------------------------------------------------------------------------------

def main():
    gaggle, root = sys.argv[1], sys.argv[2]
    update = "--update" in sys.argv[3:]
    deploy = os.path.join(root, "deploy")
    golden_dir = os.path.join(root, "tests", "integration", "deploy_golden")
    rendered = {}
    env_defined = set()
    docs_by_file = {}
    files = sorted(os.path.relpath(os.path.join(d, f), deploy) for d, _, fs in os.walk(deploy) for f in fs)
    for rel in files:
        text = open(os.path.join(deploy, rel)).read()
        if rel.endswith((".yaml", ".yml")):
            try:
                docs = [d for d in yaml.safe_load_all(text) if d is not None]
            except yaml.YAMLError as e:
                problem(rel, f"not valid YAML: {e}")
                continue
            docs_by_file[rel] = docs
            rendered[rel] = render_yaml(docs)
        elif rel.endswith((".service", ".timer", ".socket")):
            rendered[rel] = [f"[{s}] {k}={v}" for s, k, v in unit_lines(text)]
        elif ".env" in rel:
            lines = env_lines(text)
            env_defined |= {l.split("=", 1)[0] for l in lines}
            rendered[rel] = lines
        else:
            problem(rel, "unknown kind of file in deploy/ (the test renders .yaml, .service and .env files)")
    for rel in files:
        if rel.endswith(".service"):
            check_systemd(gaggle, rel, unit_lines(open(os.path.join(deploy, rel)).read()), env_defined)
    check_kubernetes(gaggle, {f: d for f, d in docs_by_file.items() if f.startswith("kubernetes/")})

    # Golden files: one per manifest, named after its path.
    want_names = {rel.replace("/", "__") + ".golden": rel for rel in rendered}
    if update:
        os.makedirs(golden_dir, exist_ok=True)
        for name in os.listdir(golden_dir):
            if name not in want_names:
                os.remove(os.path.join(golden_dir, name))
    for name, rel in sorted(want_names.items()):
        text = "\n".join(rendered[rel]) + "\n"
        gpath = os.path.join(golden_dir, name)
        if update:
            with open(gpath, "w") as f:
                f.write(text)
            continue
        if not os.path.exists(gpath):
            problem(rel, f"no golden file {os.path.relpath(gpath, root)} (run with --update and review it)")
            continue
        old = open(gpath).read()
        if old != text:
            diff = "".join(difflib.unified_diff(old.splitlines(True), text.splitlines(True), gpath, rel + " (now)"))
            problem(rel, "differs from its golden file (run with --update if intended):\n" + diff)
    if os.path.isdir(golden_dir):
        for name in sorted(os.listdir(golden_dir)):
            if name not in want_names:
                problem(name, "golden file of a manifest that no longer exists")

    for p in problems:
        print("FAIL: " + p, file=sys.stderr)
    if not problems:
        print(f"deploy: {len(rendered)} files match their golden files; every gaggle invocation checked")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
