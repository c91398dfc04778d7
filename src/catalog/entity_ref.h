// EntityRef: a Backstage entity reference, "[kind:][namespace/]name".
//
// Kinds and namespaces are case-insensitive (stored lower-case); names keep
// their case but compare case-insensitively through Key(), as Backstage does.
// A reference in spec.dependsOn / spec.dependencyOf must name its kind; its
// namespace defaults to the namespace of the entity that declares it.
#pragma once

#include <string>

#include "common/status.h"

namespace gaggle {

struct EntityRef {
  std::string kind;  // lower-case: "resource", "component", "system", "group"...
  std::string ns;    // lower-case; "default" when not written and no context default
  std::string name;  // as written

  // "resource:default/events-raw" — fully qualified, the form Backstage prints.
  std::string ToString() const;
  // Lower-cased ToString(): two refs to the same entity have the same key.
  std::string Key() const;
};

struct EntityRefDefaults {
  std::string kind;  // empty: the reference must name its kind
  std::string ns = "default";
};

// Parses "kind:ns/name", "kind:name", "ns/name" or "name" (the last two only when
// defaults.kind is set). Errors say what is wrong with the text.
Result<EntityRef> ParseEntityRef(const std::string& text, const EntityRefDefaults& defaults);

// Backstage's rule for metadata.name / namespace: 1..63 characters of
// [A-Za-z0-9-_.], starting and ending with a letter or digit.
bool IsValidBackstageName(const std::string& name);

}  // namespace gaggle
