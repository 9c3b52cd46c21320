// brine::codec: every codec for Values in one include.
//   yaml.h          yaml_load (Salt typing), yaml_dump (PyYAML safe_dump output)
//   yaml_scalar.h   typing one plain scalar as Salt's YAML loader would
//   json.h          json_parse / json_dump (Python json compatible)
//   msgpack.h       msgpack_pack / msgpack_unpack (bounded, hostile-input safe)
//   msgpack_value.h packing into a msgpack-c packer (protocol layer)
//   python_repr.h   python_repr / python_str (how Salt prints structures)
#pragma once

#include "common/codec/json.h"
#include "common/codec/msgpack.h"
#include "common/codec/python_repr.h"
#include "common/codec/yaml.h"
#include "common/codec/yaml_scalar.h"
