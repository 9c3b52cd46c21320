#!/usr/bin/python3
"""Writes the benchmark context (Debian 12 grains and a large pillar) as JSON.

Usage: bench_context.py OUT.json [USERS] [SITES]
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import oracle  # noqa: E402


def context(users=300, sites=120):
    pillar = {
        "users_settings": {"shell": "/bin/zsh"},
        "users": {},
        "nginx": {"worker_connections": 4096, "modules": ["stream", "geoip"], "sites": {}},
        "sysctl": {"params": {f"net.core.param{i}": i * 10 for i in range(40)}},
    }
    for i in range(users):
        u = {"uid": 2000 + i, "fullname": f"User Number {i}", "groups": ["users", f"team{i % 7}", "users"]}
        if i % 5 == 0:
            u["sudo"] = True
            u["nopasswd"] = i % 10 == 0
        if i % 3 == 0:
            u["ssh_keys"] = [f"ssh-ed25519 AAAA{i:06d}KEY user{i}@host", f"ssh-rsa BBBB{i:06d}"]
        if i % 17 == 0:
            u["absent"] = True
        pillar["users"][f"user{i:04d}"] = u
    for i in range(sites):
        pillar["nginx"]["sites"][f"site{i:03d}"] = {
            "port": 8000 + i,
            "server_name": f"site{i}.example.com",
            "enabled": i % 9 != 0,
            "locations": {"/": {"root": f"/srv/site{i}", "index": "index.html"},
                          "/api": {"proxy_pass": f"http://127.0.0.1:{9000 + i}"},
                          "/static": {"expires": "30d", "root": f"/srv/static{i}"}},
        }
    ctx = {"grains": oracle.DEBIAN12_GRAINS, "pillar": pillar, "opts": {"id": "web1"}, "saltenv": "base"}
    return ctx


ENTRIES = [("users/init.sls", "users"), ("nginx/config.sls", "nginx.config"), ("sysctl/init.sls", "sysctl"),
           ("nginx/package.sls", "nginx.package"), ("nginx/service.sls", "nginx.service")]


def sls_context(entry, sls):
    slspath = entry.rsplit("/", 1)[0]
    return {"sls": sls, "tplpath": "/srv/salt/" + entry, "tplfile": entry, "tpldir": slspath,
            "tpldot": slspath.replace("/", "."), "slspath": slspath, "slsdotpath": slspath.replace("/", "."),
            "slscolonpath": slspath.replace("/", ":"), "sls_path": slspath.replace("/", "_")}


if __name__ == "__main__":
    out = sys.argv[1]
    users = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    sites = int(sys.argv[3]) if len(sys.argv) > 3 else 120
    doc = {"context": context(users, sites),
           "entries": [{"entry": e, "sls": s, "context": sls_context(e, s)} for e, s in ENTRIES]}
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
