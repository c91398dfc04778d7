#include "plan/target_template.h"

namespace gaggle {

Result<TargetTemplate> TargetTemplate::Parse(const std::string& text) {
  if (text.empty()) {
    return Status::InvalidArgument("target.uri is empty: give a template such as \"file:///data/v2/{id}/\"");
  }
  TargetTemplate t;
  t.text_ = text;
  bool names_dataset = false;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find('{', i);
    size_t stray = text.find('}', i);
    if (stray != std::string::npos && (open == std::string::npos || stray < open)) {
      return Status::InvalidArgument("target.uri '" + text + "': unmatched '}' at offset " + std::to_string(stray));
    }
    if (open == std::string::npos) {
      t.pieces_.push_back({true, text.substr(i)});
      break;
    }
    if (open > i) t.pieces_.push_back({true, text.substr(i, open - i)});
    size_t close = text.find('}', open);
    if (close == std::string::npos) {
      return Status::InvalidArgument("target.uri '" + text + "': unclosed '{' at offset " + std::to_string(open));
    }
    std::string name = text.substr(open + 1, close - open - 1);
    if (name != "id" && name != "name" && name != "namespace" && name != "version" && name != "format") {
      return Status::InvalidArgument("target.uri '" + text + "': unknown placeholder {" + name + "} at offset " +
                                     std::to_string(open) + " (known: {id}, {name}, {namespace}, {version}, {format})");
    }
    names_dataset |= name == "id" || name == "name";
    t.pieces_.push_back({false, name});
    i = close + 1;
  }
  if (!names_dataset) {
    return Status::InvalidArgument("target.uri '" + text +
                                   "' must contain {id} or {name}, or every dataset would be written to one place");
  }
  return t;
}

std::string TargetTemplate::Render(const Entity& d, int version, const std::string& format) const {
  std::string out;
  for (const Piece& p : pieces_) {
    if (p.literal) {
      out += p.text;
    } else if (p.text == "id") {
      out += d.id;
    } else if (p.text == "name") {
      out += d.name.empty() ? d.id : d.name;
    } else if (p.text == "namespace") {
      out += d.ns;
    } else if (p.text == "version") {
      out += std::to_string(version);
    } else if (p.text == "format") {
      out += format;
    }
  }
  return out;
}

}  // namespace gaggle
