#include "catalog/entity.h"

#include <xxhash.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "common/ascii.h"

namespace gaggle {
namespace {

// Appends a length-prefixed field so that ("ab","c") and ("a","bc") hash differently.
void PutField(std::string* out, const std::string& s) {
  out->append(std::to_string(s.size()));
  out->push_back(':');
  out->append(s);
}

}  // namespace

const char* TierName(Tier tier) {
  switch (tier) {
    case Tier::kCritical: return "critical";
    case Tier::kStandard: return "standard";
    case Tier::kLow: return "low";
  }
  return "standard";
}

Result<Tier> ParseTier(const std::string& text) {
  std::string t = AsciiLower(text);
  if (t == "critical") return Tier::kCritical;
  if (t == "standard") return Tier::kStandard;
  if (t == "low") return Tier::kLow;
  return Status::InvalidArgument("unknown tier '" + text + "' (expected critical, standard or low)");
}

const char* EntityKindName(EntityKind kind) {
  switch (kind) {
    case EntityKind::kDataset: return "dataset";
    case EntityKind::kComponent: return "component";
    case EntityKind::kSystem: return "system";
    case EntityKind::kResource: return "resource";
  }
  return "resource";
}

Result<EntityKind> ParseEntityKind(const std::string& text) {
  std::string t = AsciiLower(text);
  if (t == "dataset") return EntityKind::kDataset;
  if (t == "component") return EntityKind::kComponent;
  if (t == "system") return EntityKind::kSystem;
  if (t == "resource") return EntityKind::kResource;
  return Status::InvalidArgument("unknown entity kind '" + text +
                                 "' (expected dataset, component, system or resource)");
}

bool Entity::operator==(const Entity& o) const {
  return kind == o.kind && id == o.id && name == o.name && ns == o.ns && type == o.type && title == o.title &&
         description == o.description && owner == o.owner && lifecycle == o.lifecycle && labels == o.labels &&
         annotations == o.annotations && queries == o.queries && source == o.source && uri == o.uri &&
         format == o.format && schema == o.schema && schema_version == o.schema_version && tier == o.tier &&
         cadence == o.cadence && size_bytes == o.size_bytes;
}

std::string MakeEntityId(EntityKind kind, const std::string& ns, const std::string& name) {
  std::string scoped = (ns.empty() || ns == "default") ? name : ns + "/" + name;
  if (kind == EntityKind::kDataset) return scoped;
  return std::string(EntityKindName(kind)) + ":" + scoped;
}

uint64_t EntityContentHash(const Entity& e) {
  std::string buf;
  buf.reserve(256);
  PutField(&buf, EntityKindName(e.kind));
  for (const std::string* s : {&e.id, &e.name, &e.ns, &e.type, &e.title, &e.description, &e.owner, &e.lifecycle,
                               &e.source, &e.uri, &e.format, &e.schema, &e.cadence}) {
    PutField(&buf, *s);
  }
  PutField(&buf, std::to_string(e.schema_version));
  PutField(&buf, TierName(e.tier));
  PutField(&buf, std::to_string(e.size_bytes));
  buf.push_back('L');
  for (const auto& [k, v] : e.labels) {
    PutField(&buf, k);
    PutField(&buf, v);
  }
  buf.push_back('A');
  for (const auto& [k, v] : e.annotations) {
    PutField(&buf, k);
    PutField(&buf, v);
  }
  buf.push_back('Q');
  for (const std::string& q : e.queries) PutField(&buf, q);
  return XXH3_64bits(buf.data(), buf.size());
}

std::string CanonicalOwner(const std::string& owner) {
  std::string o = owner;
  std::string lower = AsciiLower(o);
  if (lower.rfind("group:", 0) == 0) o = o.substr(6);
  if (AsciiLower(o).rfind("default/", 0) == 0) o = o.substr(8);
  return o;
}

Result<int64_t> ParseByteSize(const std::string& text) {
  std::string t;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) t.push_back(c);
  }
  if (t.empty()) return Status::InvalidArgument("empty size");
  size_t i = 0;
  while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) ++i;
  std::string number = t.substr(0, i);
  std::string unit = AsciiLower(t.substr(i));
  if (number.empty() || std::count(number.begin(), number.end(), '.') > 1) {
    return Status::InvalidArgument("bad size '" + text + "' (expected bytes, e.g. 1234, 12GB or 3.5GiB)");
  }
  double value = std::strtod(number.c_str(), nullptr);
  double mult = 1;
  static const std::pair<const char*, double> kUnits[] = {{"", 1},
                                                          {"b", 1},
                                                          {"kb", 1e3},
                                                          {"mb", 1e6},
                                                          {"gb", 1e9},
                                                          {"tb", 1e12},
                                                          {"pb", 1e15},
                                                          {"kib", 1024.0},
                                                          {"mib", 1048576.0},
                                                          {"gib", 1073741824.0},
                                                          {"tib", 1099511627776.0},
                                                          {"pib", 1125899906842624.0}};
  bool found = false;
  for (const auto& [name, m] : kUnits) {
    if (unit == name) {
      mult = m;
      found = true;
      break;
    }
  }
  if (!found)
    return Status::InvalidArgument("bad size unit in '" + text + "' (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)");
  double bytes = value * mult;
  if (!std::isfinite(bytes) || bytes < 0 || bytes > 9.0e18) {
    return Status::InvalidArgument("size '" + text + "' is out of range");
  }
  return static_cast<int64_t>(std::llround(bytes));
}

bool IsValidEntityId(const std::string& id) {
  if (id.empty() || id.size() > 253) return false;
  size_t colon = id.find(':');
  for (size_t i = 0; i < id.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(id[i]);
    if (std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '/') continue;
    if (c == ':' && i == colon && i > 0) continue;
    return false;
  }
  return id.front() != '/' && id.back() != '/' && id.back() != ':';
}

}  // namespace gaggle
