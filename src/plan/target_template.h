// Target URI templates: where each migrated dataset goes, e.g.
// "file:///data/v2/{id}/". Placeholders: {id} (dataset id), {name} (id without
// its namespace), {namespace}, {version} (target schema version), {format}
// (target format). A template must contain {id} or {name}, so that two datasets
// never share a target.
// Thread-safety: immutable after Parse.
#pragma once

#include <string>
#include <vector>

#include "catalog/entity.h"
#include "common/status.h"

namespace gaggle {

class TargetTemplate {
 public:
  // Checks the placeholders; errors name the bad one and its position.
  static Result<TargetTemplate> Parse(const std::string& text);

  std::string Render(const Entity& dataset, int version, const std::string& format) const;
  const std::string& text() const { return text_; }

 private:
  struct Piece {
    bool literal;
    std::string text;  // literal text, or placeholder name
  };
  std::string text_;
  std::vector<Piece> pieces_;
};

}  // namespace gaggle
