#!/usr/bin/python3
"""Salt 3006's YAML loader (salt/utils/yamlloader.py), reduced to what affects typing,
used to derive the expected values hard-coded in yaml_*_test.cpp.

    /usr/bin/python3 salt_yaml_reference.py 'text'   -> prints repr(load(text))
    /usr/bin/python3 salt_yaml_reference.py --dump 'python literal' -> prints yaml.safe_dump(...)
"""
import ast
import re
import sys

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, SequenceNode


class SaltYamlSafeLoader(yaml.SafeLoader):
    def __init__(self, stream):
        super().__init__(stream)
        self.add_constructor("tag:yaml.org,2002:timestamp", type(self).construct_scalar)

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, MappingNode):
            raise ConstructorError(None, None, f"expected a mapping node, but found {node.id}",
                                   node.start_mark)
        self.flatten_mapping(node)
        context = "while constructing a mapping"
        mapping = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise ConstructorError(context, node.start_mark,
                                       f"found unacceptable key {key_node.value}",
                                       key_node.start_mark)
            value = self.construct_object(value_node, deep=deep)
            if key in mapping:
                raise ConstructorError(context, node.start_mark, f"found conflicting ID '{key}'",
                                       key_node.start_mark)
            mapping[key] = value
        return mapping

    def construct_scalar(self, node):
        if node.tag == "tag:yaml.org,2002:int":
            if node.value == "0":
                pass
            elif node.value.startswith("0") and not node.value.startswith(("0b", "0x")):
                node.value = node.value.lstrip("0")
                if node.value == "":
                    node.value = "0"
        elif node.tag == "tag:yaml.org,2002:str":
            if re.match(r"^u([\'\"]).+\1$", node.value, flags=re.IGNORECASE):
                node.value = eval(node.value, {}, {})
        return super().construct_scalar(node)

    def flatten_mapping(self, node):
        merge = []
        index = 0
        while index < len(node.value):
            key_node, value_node = node.value[index]
            if key_node.tag == "tag:yaml.org,2002:merge":
                del node.value[index]
                if isinstance(value_node, MappingNode):
                    self.flatten_mapping(value_node)
                    merge.extend(value_node.value)
                elif isinstance(value_node, SequenceNode):
                    submerge = []
                    for subnode in value_node.value:
                        if not isinstance(subnode, MappingNode):
                            raise ConstructorError("while constructing a mapping", node.start_mark,
                                                   f"expected a mapping for merging, but found {subnode.id}",
                                                   subnode.start_mark)
                        self.flatten_mapping(subnode)
                        submerge.append(subnode.value)
                    submerge.reverse()
                    for value in submerge:
                        merge.extend(value)
                else:
                    raise ConstructorError("while constructing a mapping", node.start_mark,
                                           "expected a mapping or list of mappings for merging, "
                                           f"but found {value_node.id}", value_node.start_mark)
            elif key_node.tag == "tag:yaml.org,2002:value":
                key_node.tag = "tag:yaml.org,2002:str"
                index += 1
            else:
                index += 1
        if merge:
            existing_nodes = [name_node.value for name_node, value_node in node.value]
            mergeable_items = [x for x in merge if x[0].value not in existing_nodes]
            node.value = mergeable_items + node.value


def load(text):
    return yaml.load(text, Loader=SaltYamlSafeLoader)


if __name__ == "__main__":
    if sys.argv[1] == "--dump":
        sys.stdout.write(yaml.safe_dump(ast.literal_eval(sys.argv[2]), default_flow_style=False,
                                        allow_unicode=True))
    else:
        try:
            print(repr(load(sys.argv[1])))
        except Exception as e:  # noqa
            print("ERROR:", type(e).__name__, str(e).replace("\n", " | "))
