#include "catalog/entity_ref.h"

#include <cctype>

#include "common/ascii.h"

namespace gaggle {

std::string EntityRef::ToString() const { return kind + ":" + ns + "/" + name; }

std::string EntityRef::Key() const { return AsciiLower(ToString()); }

bool IsValidBackstageName(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  for (char ch : name) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return std::isalnum(static_cast<unsigned char>(name.front())) &&
         std::isalnum(static_cast<unsigned char>(name.back()));
}

Result<EntityRef> ParseEntityRef(const std::string& raw, const EntityRefDefaults& defaults) {
  std::string text = AsciiTrim(raw);
  if (text.empty()) return Status::InvalidArgument("empty entity reference");
  EntityRef ref;
  std::string rest = text;
  size_t colon = rest.find(':');
  if (colon != std::string::npos) {
    ref.kind = AsciiLower(rest.substr(0, colon));
    rest = rest.substr(colon + 1);
    if (ref.kind.empty()) return Status::InvalidArgument("entity reference '" + text + "' has an empty kind");
  } else if (!defaults.kind.empty()) {
    ref.kind = AsciiLower(defaults.kind);
  } else {
    return Status::InvalidArgument("entity reference '" + text + "' has no kind (write it as resource:" + text +
                                   " or component:" + text + ")");
  }
  size_t slash = rest.find('/');
  if (slash != std::string::npos) {
    ref.ns = AsciiLower(rest.substr(0, slash));
    ref.name = rest.substr(slash + 1);
    if (ref.ns.empty()) return Status::InvalidArgument("entity reference '" + text + "' has an empty namespace");
  } else {
    ref.ns = AsciiLower(defaults.ns.empty() ? std::string("default") : defaults.ns);
    ref.name = rest;
  }
  if (ref.name.empty()) return Status::InvalidArgument("entity reference '" + text + "' has an empty name");
  if (ref.name.find(':') != std::string::npos || ref.name.find('/') != std::string::npos) {
    return Status::InvalidArgument("entity reference '" + text + "' is not of the form [kind:][namespace/]name");
  }
  for (const std::string* part : {&ref.kind, &ref.ns, &ref.name}) {
    for (char ch : *part) {
      if (std::isspace(static_cast<unsigned char>(ch))) {
        return Status::InvalidArgument("entity reference '" + text + "' contains whitespace");
      }
    }
  }
  return ref;
}

}  // namespace gaggle
