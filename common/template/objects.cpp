// repr() of the engine's objects, as Jinja prints them.
#include "common/template/interp.h"
#include "common/template/print.h"

namespace brine::jinja {

void BuiltinObj::repr(std::string& out) const { out += "<function " + name + ">"; }

void MethodObj::repr(std::string& out) const {
  out += "<built-in method " + name + " of " + type_name_of_self() + " object>";
}

std::string MethodObj::type_name_of_self() const { return jinja::type_name(self); }

void MacroObj::repr(std::string& out) const {
  out += "<Macro ";
  append_string_repr(out, def->name);
  out += ">";
}

void NamespaceObj::repr(std::string& out) const {
  out += "<Namespace ";
  if (!append_repr(out, attrs)) out += "{...}";
  out += ">";
}

void LoopObj::repr(std::string& out) const {
  out += "<LoopContext " + std::to_string(index0 + 1) + "/" + std::to_string(items.size()) + ">";
}

void ModuleObj::repr(std::string& out) const {
  out += "<TemplateModule ";
  append_string_repr(out, name);
  out += ">";
}

void SaltObj::repr(std::string& out) const {
  if (kind() == Kind::kSaltFunc) {
    out += "<function " + path + ">";
  } else {
    out += "<salt.loader.lazy.LazyLoader object>";
  }
}

}  // namespace brine::jinja
