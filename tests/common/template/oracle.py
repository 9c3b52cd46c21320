"""Jinja2 configured as Salt 3006 configures it: the oracle for Brine's engine.

Used by gen_cases.py (expected outputs), diff_fuzz.py (differential fuzzing)
and the benchmark. Salt's own filters are re-implemented here from Salt's
source (salt/utils/jinja.py, salt/utils/data.py, ...) because Salt itself is
not installed; fake execution-module functions (grains.get, pillar.get,
grains.filter_by, ...) mirror the fakes in the C++ tests.
"""
import base64
import collections
import collections.abc
import copy
import fnmatch
import hashlib
import ipaddress
import json
import os
import posixpath
import re
import shlex
import time
import datetime

import jinja2
import jinja2.ext
import jinja2.nodes as nodes
import jinja2.sandbox
import yaml
from jinja2.ext import Extension
from jinja2.exceptions import TemplateRuntimeError, TemplateNotFound
from markupsafe import Markup

# ---------------------------------------------------------------- YAML (Salt)


class SafeOrderedDumper(yaml.SafeDumper):
    pass


SafeOrderedDumper.add_representer(
    collections.OrderedDict, lambda d, data: d.represent_dict(list(data.items()))
)


def salt_yaml_dump(data, **kwargs):
    kwargs.setdefault("allow_unicode", True)
    kwargs.setdefault("default_flow_style", None)
    return yaml.dump(data, Dumper=SafeOrderedDumper, **kwargs)


class SaltYamlSafeLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        self.flatten_mapping(node)
        mapping = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    f"found unacceptable key {key_node.value}"
                )
            value = self.construct_object(value_node, deep=deep)
            if key in mapping:
                raise yaml.constructor.ConstructorError(
                    None, None, f"found conflicting ID '{key}'", key_node.start_mark
                )
            mapping[key] = value
        return mapping

    def construct_yaml_int(self, node):
        value = self.construct_scalar(node).replace("_", "")
        if re.fullmatch(r"[-+]?0[0-7]+", value):
            return int(value, 10)
        return super().construct_yaml_int(node)


SaltYamlSafeLoader.add_constructor(
    "tag:yaml.org,2002:map", SaltYamlSafeLoader.construct_mapping
)
SaltYamlSafeLoader.add_constructor(
    "tag:yaml.org,2002:int", SaltYamlSafeLoader.construct_yaml_int
)
SaltYamlSafeLoader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def salt_yaml_load(text):
    return yaml.load(text, Loader=SaltYamlSafeLoader)


# ------------------------------------------------------------ data helpers


def traverse_dict_and_list(data, key, default=None, delimiter=":"):
    ptr = data
    if isinstance(key, str):
        key = key.split(delimiter)
    for each in key:
        if isinstance(ptr, list):
            try:
                idx = int(each)
            except ValueError:
                embed_match = False
                for embedded in (x for x in ptr if isinstance(x, dict)):
                    try:
                        ptr = embedded[each]
                        embed_match = True
                        break
                    except KeyError:
                        pass
                if not embed_match:
                    return default
            else:
                try:
                    ptr = ptr[idx]
                except IndexError:
                    return default
        else:
            try:
                ptr = ptr[each]
            except (KeyError, TypeError):
                return default
    return ptr


def dict_update(dest, upd, recursive_update=True, merge_lists=False):
    for key, val in upd.items():
        dest_subkey = dest.get(key, None)
        if isinstance(dest_subkey, dict) and isinstance(val, dict) and recursive_update:
            dest[key] = dict_update(dest_subkey, val, True, merge_lists)
        elif merge_lists and isinstance(dest_subkey, list) and isinstance(val, list):
            dest[key] = dest_subkey + [x for x in val if x not in dest_subkey]
        else:
            dest[key] = copy.deepcopy(val)
    return dest


def salt_dictupdate(dest, upd, merge_lists=False):
    """salt.utils.dictupdate.update exactly: upd's values go in shared, not copied."""
    for key, val in upd.items():
        dest_subkey = dest.get(key, None)
        if isinstance(dest_subkey, collections.abc.Mapping) and isinstance(val, collections.abc.Mapping):
            dest[key] = salt_dictupdate(dest_subkey, val, merge_lists)
        elif isinstance(dest_subkey, list) and isinstance(val, list) and merge_lists:
            merged = copy.deepcopy(dest_subkey)
            merged.extend([x for x in val if x not in merged])
            dest[key] = merged
        else:
            dest[key] = val
    return dest


def filter_by(lookup_dict, lookup, traverse, merge=None, default="default", base=None):
    ret = None
    val = traverse_dict_and_list(traverse, lookup, [])
    for each in val if isinstance(val, list) else [val]:
        for key in lookup_dict:
            test_key = key if isinstance(key, str) else str(key)
            test_each = each if isinstance(each, str) else str(each)
            if fnmatch.fnmatchcase(test_each, test_key):
                ret = lookup_dict[key]
                break
        if ret is not None:
            break
    if ret is None:
        ret = lookup_dict.get(default, None)
    if base and base in lookup_dict:
        base_values = lookup_dict[base]
        if ret is None:
            ret = base_values
        elif isinstance(base_values, dict):
            if not isinstance(ret, dict):
                raise Exception("filter_by default and look-up values must both be dictionaries.")
            ret = dict_update(copy.deepcopy(base_values), ret)
    if merge:
        if not isinstance(merge, dict):
            raise Exception("filter_by merge argument must be a dictionary.")
        if ret is None:
            ret = merge
        else:
            dict_update(ret, copy.deepcopy(merge))
    return ret


# ------------------------------------------------------- fake salt modules


class FakeSalt:
    """The `salt` global: salt['mod.fun'](...) and salt.mod.fun(...)."""

    def __init__(self, grains, pillar, opts):
        self._grains = grains
        self._pillar = pillar
        self._opts = opts
        self._funcs = {
            "test.echo": lambda text: text,
            "test.arg": lambda *a, **kw: {"args": list(a), "kwargs": kw},
            "grains.get": self.grains_get,
            "grains.filter_by": self.grains_filter_by,
            "pillar.get": self.pillar_get,
            "config.get": self.config_get,
            "defaults.merge": self.defaults_merge,
            "defaults.deepcopy": copy.deepcopy,
            "slsutil.merge": self.slsutil_merge,
            "file.join": lambda *a: posixpath.join(*a),
            "file.basename": posixpath.basename,
            "file.dirname": posixpath.dirname,
            "cmd.fail": self.fail,
        }

    def fail(self, *a):
        raise Exception("command failed")

    def grains_get(self, key, default="", delimiter=":", ordered=True):
        """salt/modules/grains.py get: the grains' own objects (ordered=True)."""
        return traverse_dict_and_list(self._grains, key, default, delimiter)

    def pillar_get(self, key, default="", merge=False, merge_nested_lists=None, delimiter=":",
                   pillarenv=None, saltenv=None):
        """salt/modules/pillar.py get: the pillar's own objects, or with merge=True
        a deep copy of the default updated (salt.utils.dictupdate.update) with them."""
        merge_lists = (self._opts.get("pillar_merge_lists", False)
                       if merge_nested_lists is None else merge_nested_lists)
        if merge:
            if isinstance(default, dict):
                ret = traverse_dict_and_list(self._pillar, key, {}, delimiter)
                if isinstance(ret, collections.abc.Mapping):
                    return salt_dictupdate(copy.deepcopy(default), ret, merge_lists)
            elif isinstance(default, list):
                ret = traverse_dict_and_list(self._pillar, key, [], delimiter)
                if isinstance(ret, list):
                    default = copy.deepcopy(default)
                    default.extend([x for x in ret if x not in default])
                    return default
        return traverse_dict_and_list(self._pillar, key, default, delimiter)

    def config_get(self, key, default=""):
        for src in (self._opts, self._grains, self._pillar):
            ret = traverse_dict_and_list(src, key, None)
            if ret is not None:
                return ret
        return default

    def grains_filter_by(self, lookup_dict, grain="os_family", merge=None, default="default", base=None):
        return filter_by(lookup_dict, grain, self._grains, merge, default, base)

    def defaults_merge(self, dest, src, in_place=True, merge_lists=False):
        if in_place:
            merged = dest
        else:
            merged = copy.deepcopy(dest)
        return dict_update(merged, src, merge_lists=merge_lists)

    def slsutil_merge(self, obj_a, obj_b, strategy="smart", renderer="yaml", merge_lists=False):
        return dict_update(copy.deepcopy(obj_a), obj_b, merge_lists=merge_lists)

    def __getitem__(self, name):
        return self._funcs[name]

    def __contains__(self, name):
        return name in self._funcs

    def __getattr__(self, mod):
        if mod.startswith("_"):
            raise AttributeError(mod)
        funcs = self._funcs

        class Mod:
            def __getattr__(self, fun):
                try:
                    return funcs[mod + "." + fun]
                except KeyError:
                    raise AttributeError(fun)

        return Mod()


# ------------------------------------------------------------ salt filters


class PrintableDict(collections.OrderedDict):
    def __str__(self):
        output = []
        for key, value in self.items():
            if isinstance(value, str):
                output.append(f"{key!r}: {value!r}")
            else:
                output.append(f"{key!r}: {value!s}")
        return "{" + ", ".join(output) + "}"

    def __repr__(self):
        output = []
        for key, value in self.items():
            output.append(f"{key!r}: {value!r}")
        return "{" + ", ".join(output) + "}"


def finalizer(data):
    def explore(data):
        if isinstance(data, (dict, collections.OrderedDict)):
            return PrintableDict([(key, explore(value)) for key, value in data.items()])
        elif isinstance(data, (list, tuple, set)):
            return data.__class__([explore(value) for value in data])
        return data

    return explore(data)


def _regex_flags(ignorecase, multiline):
    flag = 0
    if ignorecase:
        flag |= re.I
    if multiline:
        flag |= re.M
    return flag


def regex_search(txt, rgx, ignorecase=False, multiline=False):
    obj = re.search(rgx, txt, _regex_flags(ignorecase, multiline))
    if not obj:
        return
    return obj.groups()


def regex_match(txt, rgx, ignorecase=False, multiline=False):
    obj = re.match(rgx, txt, _regex_flags(ignorecase, multiline))
    if not obj:
        return
    return obj.groups()


def regex_replace(txt, rgx, val, ignorecase=False, multiline=False):
    return re.compile(rgx, _regex_flags(ignorecase, multiline)).sub(val, txt)


def unique(values):
    if isinstance(values, collections.abc.Hashable):
        return set(values)
    ret = []
    for value in values:
        if value not in ret:
            ret.append(value)
    return ret


def to_bool(val):
    if val is None:
        return False
    if isinstance(val, bool):
        return val
    if isinstance(val, str):
        return val.lower() in ("yes", "1", "true")
    if isinstance(val, int):
        return val > 0
    if not isinstance(val, collections.abc.Hashable):
        return len(val) > 0
    return False


def sequence(data):
    if not isinstance(data, (list, tuple, set, dict)):
        return [data]
    return data


def yaml_dquote(text):
    import io, sys

    with io.StringIO() as ostream:
        yemitter = yaml.emitter.Emitter(ostream, width=sys.maxsize)
        yemitter.write_double_quoted(str(text))
        return ostream.getvalue()


def yaml_squote(text):
    import io, sys

    with io.StringIO() as ostream:
        yemitter = yaml.emitter.Emitter(ostream, width=sys.maxsize)
        yemitter.write_single_quoted(str(text))
        return ostream.getvalue()


def yaml_encode(data):
    yrepr = yaml.representer.SafeRepresenter()
    ynode = yrepr.represent_data(data)
    if not isinstance(ynode, yaml.ScalarNode):
        raise TypeError(
            "yaml_encode() only works with YAML scalar data; failed for {}".format(type(data))
        )
    tag = ynode.tag.rsplit(":", 1)[-1]
    ret = ynode.value
    if tag == "str":
        ret = yaml_dquote(ynode.value)
    return ret


def _is_ipv(ip, version, options=None):
    try:
        ip_obj = ipaddress.ip_address(ip)
    except ValueError:
        try:
            ip_obj = ipaddress.ip_interface(ip)
        except ValueError:
            return None
    if ip_obj.version != version:
        return None
    # salt.utils.network._ip_options
    funs = {
        "global": lambda o: not o.is_private, "public": lambda o: not o.is_private,
        "link-local": lambda o: o.is_link_local, "linklocal": lambda o: o.is_link_local,
        "ll": lambda o: o.is_link_local, "link_local": lambda o: o.is_link_local,
        "loopback": lambda o: o.is_loopback, "lo": lambda o: o.is_loopback,
        "multicast": lambda o: o.is_multicast, "private": lambda o: o.is_private,
        "reserved": lambda o: o.is_reserved,
        "site-local": lambda o: version == 6 and o.is_site_local,
        "sl": lambda o: version == 6 and o.is_site_local,
        "site_local": lambda o: version == 6 and o.is_site_local,
        "unspecified": lambda o: o.is_unspecified,
    }
    if not options:
        return str(ip_obj)
    options_list = [option.strip() for option in options.split(",")]
    for option, fun in funs.items():
        if option in options_list:
            if not fun(ip_obj):
                return None
    return str(ip_obj)


def is_ip(ip, options=None):
    return isinstance(_is_ipv(ip, 4, options), str) or isinstance(_is_ipv(ip, 6, options), str)


def salt_tojson(val, indent=None, **options):
    options.setdefault("ensure_ascii", True)
    if indent is not None:
        options["indent"] = indent
    return (
        json.dumps(val, **options)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )


def salt_uuid(val):
    import uuid

    return str(uuid.uuid5(uuid.UUID("91633EBF-1C86-5E33-935A-28061F4B480E"), str(val)))


def strftime(date=None, format="%Y-%m-%d"):
    if isinstance(date, (int, float)):
        date = datetime.datetime.fromtimestamp(date)
    elif isinstance(date, str):
        for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
            try:
                date = datetime.datetime.strptime(date, fmt)
                break
            except ValueError:
                pass
    return date.strftime(format)


def b64decode(instr):
    b = base64.b64decode(instr.encode())
    try:
        return b.decode()
    except UnicodeDecodeError:
        return b


def avg(lst):
    if not isinstance(lst, collections.abc.Hashable):
        return float(sum(lst) / len(lst))
    return float(lst)


def union(a, b):
    if isinstance(a, collections.abc.Hashable) and isinstance(b, collections.abc.Hashable):
        return set(a) | set(b)
    return unique(a + b)


def intersect(a, b):
    if isinstance(a, collections.abc.Hashable) and isinstance(b, collections.abc.Hashable):
        return set(a) & set(b)
    return unique([e for e in a if e in b])


def difference(a, b):
    if isinstance(a, collections.abc.Hashable) and isinstance(b, collections.abc.Hashable):
        return set(a) - set(b)
    return unique([e for e in a if e not in b])


def symmetric_difference(a, b):
    if isinstance(a, collections.abc.Hashable) and isinstance(b, collections.abc.Hashable):
        return set(a) ^ set(b)
    return unique([e for e in union(a, b) if e not in intersect(a, b)])


SALT_FILTERS = {
    "regex_search": regex_search,
    "regex_match": regex_match,
    "regex_replace": regex_replace,
    "regex_escape": re.escape,
    "unique": unique,
    "to_bool": to_bool,
    "sequence": sequence,
    "quote": shlex.quote,
    "yaml_dquote": yaml_dquote,
    "yaml_squote": yaml_squote,
    "yaml_encode": yaml_encode,
    "traverse": lambda data, key, default=None, delimiter=":": traverse_dict_and_list(
        data, key, default, delimiter
    ),
    "md5": lambda s: hashlib.md5(s.encode()).hexdigest(),
    "sha1": lambda s: hashlib.sha1(s.encode()).hexdigest(),
    "sha256": lambda s: hashlib.sha256(s.encode()).hexdigest(),
    "sha512": lambda s: hashlib.sha512(s.encode()).hexdigest(),
    "base64_encode": lambda s: base64.b64encode(s.encode()).decode(),
    "base64_decode": b64decode,
    "is_ip": is_ip,
    "is_ipv4": lambda ip, options=None: isinstance(_is_ipv(ip, 4, options), str),
    "is_ipv6": lambda ip, options=None: isinstance(_is_ipv(ip, 6, options), str),
    "is_list": lambda v: isinstance(v, list),
    "is_iter": lambda v: isinstance(v, (list, tuple, dict, set)) or hasattr(v, "__next__"),
    "strftime": strftime,
    "min": lambda obj: min(obj),
    "max": lambda obj: max(obj),
    "avg": avg,
    "union": union,
    "intersect": intersect,
    "difference": difference,
    "symmetric_difference": symmetric_difference,
    "tojson": salt_tojson,
    "skip": lambda data: "",
    "uuid": salt_uuid,
}


def test_match(txt, rgx, ignorecase=False, multiline=False):
    return True if re.compile(rgx, _regex_flags(ignorecase, multiline)).match(txt) else False


SALT_TESTS = {
    "match": test_match,
    "equalto": lambda value, other: value == other,
    "list": lambda v: isinstance(v, list),
}


class SerializerExtension(Extension):
    tags = {"load_yaml", "load_json", "import_yaml", "import_json", "load_text", "import_text"}

    def __init__(self, environment):
        super().__init__(environment)
        self.environment.filters.update(
            {
                "yaml": self.format_yaml,
                "json": self.format_json,
                "python": lambda v: Markup(__import__("pprint").pformat(v).strip()),
                "load_yaml": self.load_yaml,
                "load_json": self.load_json,
                "load_text": self.load_text,
            }
        )
        self.environment.finalize = finalizer

    def format_yaml(self, value, flow_style=True):
        yaml_txt = salt_yaml_dump(value, default_flow_style=flow_style).strip()
        if yaml_txt.endswith("\n..."):
            yaml_txt = yaml_txt[: len(yaml_txt) - 4]
        return Markup(yaml_txt)

    def format_json(self, value, sort_keys=True, indent=None):
        return Markup(json.dumps(value, sort_keys=sort_keys, indent=indent, ensure_ascii=False).strip())

    def load_yaml(self, value):
        if isinstance(value, jinja2.environment.TemplateModule):
            value = str(value)
        try:
            return salt_yaml_load(value)
        except yaml.YAMLError as exc:
            raise TemplateRuntimeError(f"Encountered error loading yaml: {exc}")
        except AttributeError:
            raise TemplateRuntimeError(f"Unable to load yaml from {value}")

    def load_json(self, value):
        if isinstance(value, jinja2.environment.TemplateModule):
            value = str(value)
        try:
            return json.loads(value)
        except (ValueError, TypeError, AttributeError):
            raise TemplateRuntimeError(f"Unable to load json from {value}")

    def load_text(self, value):
        if isinstance(value, jinja2.environment.TemplateModule):
            value = str(value)
        return value

    def parse(self, parser):
        v = parser.stream.current.value
        if v.startswith("import_"):
            import_node = parser.parse_import()
            target = import_node.target
            lineno = import_node.lineno
            return [
                import_node,
                nodes.Assign(
                    nodes.Name(target, "store").set_lineno(lineno),
                    nodes.Filter(
                        nodes.Name(target, "load").set_lineno(lineno),
                        "load_" + v[len("import_"):], [], [], None, None,
                    ).set_lineno(lineno),
                ).set_lineno(lineno),
            ]
        filter_name = v
        lineno = next(parser.stream).lineno
        parser.stream.expect("name:as")
        target = parser.parse_assign_target()
        macro_name = "_" + parser.free_identifier().name
        macro_body = parser.parse_statements(("name:endload",), drop_needle=True)
        return [
            nodes.Macro(macro_name, [], [], macro_body).set_lineno(lineno),
            nodes.Assign(
                target,
                nodes.Filter(
                    nodes.Call(nodes.Name(macro_name, "load").set_lineno(lineno), [], [], None, None).set_lineno(lineno),
                    filter_name, [], [], None, None,
                ).set_lineno(lineno),
            ).set_lineno(lineno),
        ]


def jinja_raise(msg):
    raise jinja2.exceptions.TemplateError(msg)


class DictLoader(jinja2.BaseLoader):
    """In-memory file roots behaving like Salt's SaltCacheLoader.get_source:
    relative names resolve against the `tpldir` global, and every load
    updates the tplfile/tpldir/tpldot/tplroot globals."""

    def __init__(self, files):
        self.files = files

    def get_source(self, environment, template):
        if template.startswith("salt://"):
            template = template[len("salt://"):]
        _template = template
        is_relative = template.split("/", 1)[0] in ("..", ".")
        if is_relative:
            if "tpldir" not in environment.globals:
                raise TemplateNotFound(template)
            _template = posixpath.normpath("/".join((environment.globals["tpldir"], template)))
            if _template.split("/", 1)[0] == "..":
                raise TemplateNotFound(template)
        norm = posixpath.normpath(_template)
        if norm.startswith("..") or norm.startswith("/") or norm not in self.files:
            raise TemplateNotFound(template)
        tpldir = posixpath.dirname(_template)
        tplfile = _template
        if is_relative:
            tpldir = environment.globals.get("tpldir", tpldir)
            tplfile = template
        environment.globals.update(
            {"tplfile": tplfile, "tpldir": "." if tpldir == "" else tpldir,
             "tpldot": tpldir.replace("/", "."), "tplroot": tpldir.split("/")[0]}
        )
        return self.files[norm], norm, lambda: True


class SaltEnvironment(jinja2.sandbox.SandboxedEnvironment):
    pass


def make_env(files=None, options=None):
    env_args = dict(options or {})
    env = SaltEnvironment(
        undefined=jinja2.StrictUndefined,
        loader=DictLoader(files or {}),
        extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols", SerializerExtension],
        **env_args,
    )
    indent = env.filters["indent"]
    env.tests.update(SALT_TESTS)
    env.filters.update(SALT_FILTERS)
    env.filters["indent"] = indent
    env.globals["raise"] = jinja_raise
    env.globals["odict"] = collections.OrderedDict
    return env


DEBIAN12_GRAINS = {
    "id": "web1.example.com", "os": "Debian", "os_family": "Debian",
    "osfullname": "Debian GNU/Linux", "osrelease": "12", "osrelease_info": [12],
    "osmajorrelease": 12, "oscodename": "bookworm", "osfinger": "Debian-12",
    "osarch": "amd64", "kernel": "Linux", "kernelrelease": "6.1.0-18-amd64",
    "cpuarch": "x86_64", "num_cpus": 4, "mem_total": 15936, "host": "web1",
    "domain": "example.com", "fqdn": "web1.example.com", "nodename": "web1",
    "ipv4": ["192.0.2.5", "127.0.0.1"], "ipv6": ["::1"], "init": "systemd",
    "virtual": "kvm", "ip4_interfaces": {"eth0": ["192.0.2.5"], "lo": ["127.0.0.1"]},
    "roles": ["web", "db"],
}


def render(template, context=None, files=None, options=None, name=None, salt_newline=True):
    """Render like salt.utils.templates.render_jinja_tmpl. Returns
    ("ok", output) or ("error", "<ExceptionClass>: <message>")."""
    context = dict(context or {})
    options = dict(options or {})
    env = make_env(files, options)
    grains = context.get("grains", {})
    pillar = context.get("pillar", {})
    opts = context.get("opts", {})
    context.setdefault("salt", FakeSalt(grains, pillar, opts))
    try:
        env.globals.update(context)
        if name is not None:
            # A named top-level template (for relative imports). Salt renders
            # the top template with from_string, so undo the loader's globals
            # update for it.
            saved = dict(env.globals)
            files = dict(files or {})
            if name not in files:
                files[name] = template
            env.loader.files = files
            tmpl = env.get_template(name)
            template = files[name]
            env.globals.clear()
            env.globals.update(saved)
        else:
            tmpl = env.from_string(template)
        out = tmpl.render(**context)
        if salt_newline and template.endswith("\n"):
            out += "\n"
        return "ok", out
    except Exception as exc:  # noqa: BLE001
        return "error", f"{type(exc).__name__}: {exc}"


if __name__ == "__main__":
    import sys

    src = sys.stdin.read()
    print(render(src, {"grains": DEBIAN12_GRAINS}))


# Every file under `root`, as {relative path: text} (a template tree for a loader).
def load_tree(root):
    files = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            full = os.path.join(dirpath, n)
            with open(full, encoding="utf-8") as fh:
                files[os.path.relpath(full, root)] = fh.read()
    return files
