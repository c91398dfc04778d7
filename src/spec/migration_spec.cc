#include "spec/migration_spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "common/file_system.h"
#include "common/suggest.h"
#include "dataset/format_table.h"
#include "spec/expression_parser.h"
#include "spec/spec_values.h"
#include "spec/yaml_reader.h"

namespace gaggle {
namespace {

const std::vector<std::string>& TypeNames() {
  static const std::vector<std::string> kNames = {"bool",   "int32",  "int64", "float",     "double",
                                                  "string", "binary", "date",  "timestamp", "decimal(18,2)"};
  return kNames;
}

const std::vector<std::string>& TierNames() {
  static const std::vector<std::string> kNames = {"critical", "standard", "low"};
  return kNames;
}

bool IsValidName(const std::string& s) {
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return !s.empty();
}

class SpecParser {
 public:
  SpecParser(const std::string& origin, MigrationSpec* spec) : r_(origin), spec_(spec) {}

  Status Parse(const YAML::Node& root) {
    if (root.IsNull()) {
      r_.Problem(YAML::Mark(), "", "the spec is empty");
      return r_.ToStatus();
    }
    if (!root.IsMap()) {
      r_.Problem(root, "",
                 "the spec must be a map of sections (name:, version:, transform:, ...), got " + DescribeNode(root));
      return r_.ToStatus();
    }
    static const std::vector<std::string> kTop = {"name",        "version", "agent",    "transform", "target",
                                                  "dead_letter", "select",  "rollout",  "fleet",     "gates",
                                                  "notify",      "verify",  "retention"};
    bool has_name = false, has_version = false;
    r_.ForEachEntry(root, "", kTop, [&](const std::string& key, const YAML::Node& k, const YAML::Node& v) {
      if (key == "name") {
        has_name = true;
        if (auto s = r_.String(v, key)) {
          if (!IsValidName(*s)) {
            r_.Problem(v, key, "'" + *s + "' may only contain letters, digits, '.', '_' and '-'");
          } else {
            spec_->name = *s;
          }
        }
      } else if (key == "version") {
        has_version = true;
        if (auto i = r_.Int(v, key, 1, INT32_MAX)) spec_->version = static_cast<int>(*i);
      } else if (key == "agent") {
        ParseAgent(v, key);
      } else if (key == "transform") {
        ParseTransform(v, key);
      } else if (key == "target") {
        ParseTarget(v, key);
      } else if (key == "dead_letter") {
        r_.ForEachEntry(v, key, {"max_fraction", "min_count"},
                        [&](const std::string& k, const YAML::Node&, const YAML::Node& x) {
                          if (k == "max_fraction") {
                            if (auto f = r_.Fraction(x, key + ".max_fraction")) spec_->dead_letter.max_fraction = *f;
                          } else if (auto n = r_.Int(x, key + ".min_count", 0, int64_t{1} << 40)) {
                            spec_->dead_letter.min_count = *n;
                          }
                        });
      } else if (key == "select") {
        ParseSelect(v, key);
      } else if (key == "rollout") {
        ParseRollout(v, key);
      } else if (key == "fleet") {
        ParseFleet(v, key);
      } else if (key == "gates") {
        ParseGates(v, key);
      } else if (key == "notify") {
        ParseNotify(v, key);
      } else if (key == "verify") {
        ParseVerify(v, key);
      } else if (key == "retention") {
        if (auto d = r_.Duration(v, key)) spec_->retention = std::chrono::duration_cast<std::chrono::seconds>(*d);
      }
      (void)k;
    });
    if (!has_name) r_.Problem(root, "name", "missing (every migration needs a name)");
    if (!has_version) r_.Problem(root, "version", "missing (the target schema version)");
    return r_.ToStatus();
  }

 private:
  void ParseAgent(const YAML::Node& node, const std::string& path) {
    AgentSpec& a = spec_->agent;
    bool builtin = false, exec = false;
    bool threads = false;
    r_.ForEachEntry(node, path, {"builtin", "exec", "version", "args", "threads"},
                    [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
                      std::string p = path + "." + key;
                      if (key == "builtin") {
                        builtin = true;
                        if (auto s = r_.String(v, p)) {
                          static const std::vector<std::string> kBuiltins = {"transform"};
                          if (*s != "transform") {
                            r_.Problem(v, p,
                                       "unknown built-in agent '" + *s + "'" + DidYouMean(*s, kBuiltins) +
                                           " (the built-in agent is 'transform')");
                          }
                          a.kind = AgentSpec::Kind::kBuiltin;
                          a.builtin = *s;
                        }
                      } else if (key == "exec") {
                        exec = true;
                        if (auto s = r_.String(v, p)) {
                          a.kind = AgentSpec::Kind::kExec;
                          a.exec = *s;
                        }
                      } else if (key == "version") {
                        if (auto s = r_.String(v, p)) a.version = *s;
                      } else if (key == "threads") {
                        threads = true;
                        if (auto i = r_.Int(v, p, 1, 64)) a.threads = static_cast<int>(*i);
                      } else if (key == "args") {
                        r_.ForEachItem(v, p, [&](size_t i, const YAML::Node& item) {
                          if (auto s = r_.String(item, p + "[" + std::to_string(i) + "]", true)) a.args.push_back(*s);
                        });
                      }
                    });
    if (builtin && exec) r_.Problem(node, path, "give either 'builtin' or 'exec', not both");
    if (exec && threads) {
      r_.Problem(node, path + ".threads", "applies to the built-in agent only (an exec agent runs as it likes)");
    }
    if (!builtin && !exec && node.IsMap()) r_.Problem(node, path, "needs 'builtin: transform' or 'exec: PATH'");
  }

  void Locate(const std::string& path, const YAML::Node& node) { spec_->transform.locations[path] = r_.Location(node); }

  std::optional<DataType> Type(const YAML::Node& v, const std::string& path) {
    auto s = r_.String(v, path);
    if (!s) return std::nullopt;
    auto t = ParseDataType(*s);
    if (!t && s->rfind("decimal(", 0) == 0 && s->find(')') == std::string::npos) {
      r_.Problem(v, path, "unknown type '" + *s + "' (inside {...} quote it: \"decimal(10,2)\")");
    } else if (!t) {
      r_.Problem(v, path, "unknown type '" + *s + "'" + DidYouMean(*s, TypeNames()));
    }
    return t;
  }

  void CheckExpression(const YAML::Node& v, const std::string& path, const std::string& text) {
    auto parsed = ParseExpression(text);
    if (!parsed.ok()) r_.Problem(v, path, parsed.status().message() + " in \"" + text + "\"");
  }

  void ParseTransform(const YAML::Node& node, const std::string& path) {
    TransformSpec& t = spec_->transform;
    static const std::vector<std::string> kKeys = {"rename",  "cast",   "drop",           "add",
                                                   "derive",  "filter", "source_schema",  "required",
                                                   "flatten", "nest",   "missing_columns"};
    r_.ForEachEntry(node, path, kKeys, [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& v) {
      std::string p = path + "." + key;
      Locate(p, key_node);
      if (key == "missing_columns") {
        if (v.IsScalar()) Locate(p, v);
        if (auto s = r_.String(v, p)) {
          if (*s == "fail") {
            t.missing_columns = TransformSpec::MissingColumns::kFail;
          } else if (*s == "skip") {
            t.missing_columns = TransformSpec::MissingColumns::kSkip;
          } else {
            r_.Problem(v, p, "expected 'fail' or 'skip', got '" + *s + "'");
          }
        }
      } else if (key == "rename") {
        r_.ForEachEntry(v, p, {}, [&](const std::string& from, const YAML::Node& k, const YAML::Node& to) {
          Locate(p + "." + from, k);
          if (from.empty()) r_.Problem(k, p, "a column name must not be empty");
          if (auto s = r_.String(to, p + "." + from)) t.rename.emplace_back(from, *s);
        });
      } else if (key == "cast") {
        r_.ForEachEntry(v, p, {}, [&](const std::string& col, const YAML::Node& k, const YAML::Node& type) {
          Locate(p + "." + col, k);
          if (auto dt = Type(type, p + "." + col)) t.cast.emplace_back(col, *dt);
        });
      } else if (key == "nest") {
        r_.ForEachEntry(v, p, {}, [&](const std::string& to, const YAML::Node& k, const YAML::Node& from) {
          Locate(p + "." + to, k);
          if (to.find('.') == std::string::npos) r_.Problem(k, p, "'" + to + "' must be a path STRUCT.FIELD");
          if (auto s = r_.String(from, p + "." + to)) t.nest.emplace_back(to, *s);
        });
      } else if (key == "drop" || key == "required" || key == "flatten") {
        auto& out = key == "drop" ? t.drop : key == "required" ? t.required : t.flatten;
        r_.ForEachItem(v, p, [&](size_t i, const YAML::Node& item) {
          std::string ip = p + "[" + std::to_string(i) + "]";
          Locate(ip, item);
          if (auto s = r_.String(item, ip)) out.push_back(*s);
        });
      } else if (key == "add") {
        r_.ForEachEntry(v, p, {}, [&](const std::string& col, const YAML::Node& k, const YAML::Node& def) {
          ParseAdd(col, k, def, p + "." + col);
        });
      } else if (key == "derive") {
        r_.ForEachEntry(v, p, {}, [&](const std::string& col, const YAML::Node& k, const YAML::Node& expr) {
          std::string cp = p + "." + col;
          Locate(cp, expr.IsScalar() ? expr : k);
          if (col.empty()) r_.Problem(k, p, "a column name must not be empty");
          if (auto s = r_.String(expr, cp)) {
            CheckExpression(expr, cp, *s);
            t.derive.emplace_back(col, *s);
          }
        });
      } else if (key == "filter") {
        if (v.IsScalar()) Locate(p, v);
        if (auto s = r_.String(v, p)) {
          CheckExpression(v, p, *s);
          t.filter = *s;
        }
      } else if (key == "source_schema") {
        Schema schema;
        r_.ForEachEntry(v, p, {}, [&](const std::string& col, const YAML::Node& k, const YAML::Node& type) {
          Locate(p + "." + col, k);
          if (auto dt = Type(type, p + "." + col)) schema.AddField(Field{col, *dt, true});
        });
        t.source_schema = std::move(schema);
      }
    });
  }

  void ParseAdd(const std::string& col, const YAML::Node& key_node, const YAML::Node& v, const std::string& path) {
    Locate(path, key_node);
    AddColumnSpec add;
    add.name = col;
    if (col.empty()) r_.Problem(key_node, path, "a column name must not be empty");
    if (v.IsScalar()) {  // shorthand: `region: string` adds a column of nulls
      auto t = Type(v, path);
      if (!t) return;
      add.type = *t;
      spec_->transform.add.push_back(std::move(add));
      return;
    }
    bool has_type = false, ok = true;
    r_.ForEachEntry(v, path, {"type", "default"}, [&](const std::string& key, const YAML::Node&, const YAML::Node& x) {
      if (key == "type") {
        has_type = true;
        auto t = Type(x, path + ".type");
        if (t) add.type = *t;
        ok = ok && t.has_value();
      } else {
        Locate(path + ".default", x);
        if (YamlReader::IsNull(x)) {
          add.default_value.reset();
        } else if (auto s = r_.String(x, path + ".default", true)) {
          add.default_value = *s;
        } else {
          ok = false;
        }
      }
    });
    if (!has_type && v.IsMap()) {
      r_.Problem(v, path, "needs a 'type'");
      ok = false;
    }
    if (ok && v.IsMap()) spec_->transform.add.push_back(std::move(add));
  }

  void ParseTarget(const YAML::Node& node, const std::string& path) {
    TargetSpec& t = spec_->target;
    r_.ForEachEntry(
        node, path, {"format", "compression", "row_group_rows", "uri"},
        [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
          std::string p = path + "." + key;
          if (key == "format") {
            if (auto s = r_.String(v, p)) {
              auto f = ParseFormat(*s);
              if (f.ok()) {
                t.format = *f;
              } else {
                r_.Problem(v, p, "unknown format '" + *s + "'" + DidYouMean(*s, FormatNames()));
              }
            }
          } else if (key == "compression") {
            if (auto s = r_.String(v, p)) {
              auto c = ParseCompression(*s);
              if (c.ok()) {
                t.compression = *c;
              } else {
                r_.Problem(v, p,
                           "unknown compression '" + *s + "'" + DidYouMean(*s, {"none", "snappy", "gzip", "zstd"}));
              }
            }
          } else if (key == "row_group_rows") {
            if (auto i = r_.Int(v, p, 1, int64_t{1} << 31)) t.row_group_rows = *i;
          } else if (key == "uri") {
            if (auto s = r_.String(v, p)) t.uri_template = *s;
          }
        });
  }

  void ParseTiers(const YAML::Node& v, const std::string& path, std::vector<std::string>* out) {
    r_.ForEachItem(v, path, [&](size_t i, const YAML::Node& item) {
      std::string ip = path + "[" + std::to_string(i) + "]";
      auto s = r_.String(item, ip);
      if (!s) return;
      if (std::find(TierNames().begin(), TierNames().end(), *s) == TierNames().end()) {
        r_.Problem(item, ip,
                   "unknown tier '" + *s + "'" + DidYouMean(*s, TierNames()) + " (tiers: critical, standard, low)");
        return;
      }
      out->push_back(*s);
    });
  }

  void ParseSelect(const YAML::Node& node, const std::string& path) {
    SelectSpec& s = spec_->select;
    r_.ForEachEntry(node, path, {"ids", "match"}, [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
      std::string p = path + "." + key;
      if (key == "ids") {
        s.ids = r_.StringList(v, p);
        return;
      }
      static const std::vector<std::string> kMatch = {"id", "owner", "format", "tier", "labels", "schema_version"};
      r_.ForEachEntry(v, p, kMatch, [&](const std::string& mkey, const YAML::Node&, const YAML::Node& m) {
        std::string mp = p + "." + mkey;
        if (mkey == "id") {
          if (auto x = r_.String(m, mp)) s.id_pattern = *x;
        } else if (mkey == "owner") {
          if (auto x = r_.String(m, mp)) s.owner = *x;
        } else if (mkey == "format") {
          if (auto x = r_.String(m, mp)) {
            if (ParseFormat(*x).ok()) {
              s.format = *x;
            } else {
              r_.Problem(m, mp, "unknown format '" + *x + "'" + DidYouMean(*x, FormatNames()));
            }
          }
        } else if (mkey == "tier") {
          ParseTiers(m, mp, &s.tiers);
        } else if (mkey == "labels") {
          r_.ForEachEntry(m, mp, {}, [&](const std::string& label, const YAML::Node&, const YAML::Node& lv) {
            if (auto x = r_.String(lv, mp + "." + label, true)) s.labels[label] = *x;
          });
        } else if (mkey == "schema_version") {
          if (auto i = r_.Int(m, mp, 0, INT32_MAX)) s.schema_version = static_cast<int>(*i);
        }
      });
    });
  }

  // Strictly increasing percentages; `last_must_be_100` for rollout stages.
  std::vector<double> Percentages(const YAML::Node& v, const std::string& path, bool last_must_be_100) {
    std::vector<double> out;
    bool ok = true;
    r_.ForEachItem(v, path, [&](size_t i, const YAML::Node& item) {
      std::string ip = path + "[" + std::to_string(i) + "]";
      auto pct = r_.Percentage(item, ip);
      if (!pct) {
        ok = false;
        return;
      }
      if (*pct <= 0 || (!out.empty() && *pct <= out.back())) {
        r_.Problem(item, ip, "percentages must be above 0 and increase from one to the next");
        ok = false;
      }
      out.push_back(*pct);
    });
    if (ok && last_must_be_100 && (out.empty() || out.back() != 100)) {
      r_.Problem(v, path, "the last stage must be 100% (otherwise some datasets never migrate)");
    }
    return out;
  }

  void ParseRollout(const YAML::Node& node, const std::string& path) {
    RolloutSpec& ro = spec_->rollout;
    r_.ForEachEntry(node, path, {"stages", "canary", "seed", "auto_rollback"},
                    [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
                      std::string p = path + "." + key;
                      if (key == "stages") {
                        ro.stages = Percentages(v, p, true);
                      } else if (key == "canary") {
                        ro.canary_tiers.clear();
                        r_.ForEachEntry(v, p, {"tier"},
                                        [&](const std::string&, const YAML::Node&, const YAML::Node& x) {
                                          ParseTiers(x, p + ".tier", &ro.canary_tiers);
                                        });
                      } else if (key == "seed") {
                        if (auto u = r_.Unsigned(v, p)) ro.seed = *u;
                      } else if (key == "auto_rollback") {
                        if (auto b = r_.Bool(v, p)) ro.auto_rollback = *b;
                      }
                    });
  }

  void ParseFleet(const YAML::Node& node, const std::string& path) {
    FleetSpec& f = spec_->fleet;
    r_.ForEachEntry(node, path, {"concurrency", "timeout", "retries", "worker_labels"},
                    [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
                      std::string p = path + "." + key;
                      if (key == "concurrency") {
                        if (auto i = r_.Int(v, p, 1, 100000)) f.concurrency = static_cast<int>(*i);
                      } else if (key == "worker_labels") {
                        ParseWorkerLabels(v, p);
                      } else if (key == "timeout") {
                        if (auto d = r_.Duration(v, p)) {
                          if (d->count() == 0) {
                            r_.Problem(v, p, "must be longer than 0");
                          } else {
                            f.timeout = *d;
                          }
                        }
                      } else {
                        ParseRetries(v, p);
                      }
                    });
  }

  // Keys and values are written "k=v,k=v" on workers: neither may hold ',' or '='.
  void ParseWorkerLabels(const YAML::Node& node, const std::string& path) {
    r_.ForEachEntry(node, path, {}, [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& v) {
      const std::string p = path + "." + key;
      auto value = r_.String(v, p, false);
      if (!value) return;
      for (const std::string* s : {&key, static_cast<const std::string*>(&*value)}) {
        if (s->empty() || s->find_first_of(",= ") != std::string::npos) {
          r_.Problem(s == &key ? key_node : v, p,
                     "a worker label's key and value are non-empty, without ',', '=' or spaces");
          return;
        }
      }
      spec_->fleet.worker_labels[key] = *value;
    });
  }

  void ParseRetries(const YAML::Node& node, const std::string& path) {
    RetrySpec& rs = spec_->fleet.retries;
    r_.ForEachEntry(node, path, {"max", "initial", "factor", "max_delay", "jitter"},
                    [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
                      std::string p = path + "." + key;
                      if (key == "max") {
                        if (auto i = r_.Int(v, p, 0, 1000)) rs.max = static_cast<int>(*i);
                      } else if (key == "initial") {
                        if (auto d = r_.Duration(v, p)) rs.initial = *d;
                      } else if (key == "factor") {
                        if (auto x = r_.Number(v, p, 1, 100)) rs.factor = *x;
                      } else if (key == "max_delay") {
                        if (auto d = r_.Duration(v, p)) rs.max_delay = *d;
                      } else if (key == "jitter") {
                        if (!v.IsScalar()) {
                          r_.Problem(v, p, "expected full, equal, none or a fraction, got " + DescribeNode(v));
                          return;
                        }
                        const std::string& s = v.Scalar();
                        if (s == "full") {
                          rs.jitter = RetrySpec::Jitter::kFull;
                        } else if (s == "equal") {
                          rs.jitter = RetrySpec::Jitter::kEqual;
                        } else if (s == "none") {
                          rs.jitter = RetrySpec::Jitter::kNone;
                        } else if (auto f = ParseFraction(s); f.ok()) {
                          rs.jitter = RetrySpec::Jitter::kFraction;
                          rs.jitter_fraction = *f;
                        } else {
                          r_.Problem(v, p,
                                     "expected full, equal, none or a fraction, got '" + s + "'" +
                                         DidYouMean(s, {"full", "equal", "none"}));
                        }
                      }
                    });
  }

  void ParseGates(const YAML::Node& node, const std::string& path) {
    GatesSpec& g = spec_->gates;
    static const std::vector<std::string> kKeys = {
        "row_count_tolerance", "checksum", "distribution", "max_dlq_fraction", "max_failed_datasets", "milestones"};
    r_.ForEachEntry(node, path, kKeys, [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
      std::string p = path + "." + key;
      if (key == "row_count_tolerance") {
        if (auto f = r_.Fraction(v, p)) g.row_count_tolerance = *f;
      } else if (key == "checksum") {
        if (auto b = r_.Bool(v, p)) g.checksum = *b;
      } else if (key == "distribution") {
        r_.ForEachEntry(v, p, {"ks_max", "category_tv_max", "null_rate_delta_max"},
                        [&](const std::string& dkey, const YAML::Node&, const YAML::Node& x) {
                          auto f = r_.Fraction(x, p + "." + dkey);
                          if (!f) return;
                          if (dkey == "ks_max") g.ks_max = *f;
                          if (dkey == "category_tv_max") g.category_tv_max = *f;
                          if (dkey == "null_rate_delta_max") g.null_rate_delta_max = *f;
                        });
      } else if (key == "max_dlq_fraction") {
        if (auto f = r_.Fraction(v, p)) g.max_dlq_fraction = *f;
      } else if (key == "max_failed_datasets") {
        if (auto f = r_.Fraction(v, p)) g.max_failed_datasets = *f;
      } else if (key == "milestones") {
        g.milestones = Percentages(v, p, false);
      }
    });
  }

  void ParseNotify(const YAML::Node& node, const std::string& path) {
    if (!node.IsNull() && !node.IsSequence()) {
      r_.Problem(node, path, "expected a list of {webhook: URL}, got " + DescribeNode(node));
      return;
    }
    r_.ForEachItem(node, path, [&](size_t i, const YAML::Node& item) {
      std::string ip = path + "[" + std::to_string(i) + "]";
      NotifySpec n;
      r_.ForEachEntry(item, ip, {"webhook"}, [&](const std::string&, const YAML::Node&, const YAML::Node& v) {
        auto url = r_.String(v, ip + ".webhook");
        if (!url) return;
        if (url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0) {
          r_.Problem(v, ip + ".webhook", "'" + *url + "' is not an http:// or https:// URL");
          return;
        }
        n.webhook = *url;
      });
      if (item.IsMap() && n.webhook.empty() && !item["webhook"]) r_.Problem(item, ip, "needs a 'webhook'");
      if (!n.webhook.empty()) spec_->notify.push_back(std::move(n));
    });
  }

  void ParseVerify(const YAML::Node& node, const std::string& path) {
    VerifySpec& vs = spec_->verify;
    r_.ForEachEntry(node, path, {"enabled", "sample", "seed", "float_tolerance", "table", "output_names"},
                    [&](const std::string& key, const YAML::Node&, const YAML::Node& v) {
                      std::string p = path + "." + key;
                      if (key == "enabled") {
                        if (auto b = r_.Bool(v, p)) vs.enabled = *b;
                      } else if (key == "sample") {
                        if (auto i = r_.Int(v, p, 0, INT64_MAX)) vs.sample = *i;
                      } else if (key == "seed") {
                        if (auto u = r_.Unsigned(v, p)) vs.seed = *u;
                      } else if (key == "float_tolerance") {
                        if (auto x = r_.Number(v, p, 0, 1e300)) vs.float_tolerance = *x;
                      } else if (key == "output_names") {
                        if (auto s = r_.String(v, p)) {
                          if (*s == "keep") {
                            vs.output_names = VerifySpec::OutputNames::kKeep;
                          } else if (*s == "propagate") {
                            vs.output_names = VerifySpec::OutputNames::kPropagate;
                          } else {
                            r_.Problem(v, p, "'" + *s + "' is not one of keep, propagate");
                          }
                        }
                      } else if (key == "table") {
                        if (auto s = r_.String(v, p)) {
                          std::string probe = *s;
                          for (const char* var : {"{id}", "{name}", "{version}"}) {
                            for (size_t at; (at = probe.find(var)) != std::string::npos;)
                              probe.replace(at, std::strlen(var), "x");
                          }
                          if (s->empty() || probe.find_first_of("{}") != std::string::npos) {
                            r_.Problem(v, p,
                                       "'" + *s + "' is not a table name template: use {id}, {name} and {version}");
                          } else {
                            vs.table = *s;
                          }
                        }
                      }
                    });
  }

  YamlReader r_;
  MigrationSpec* spec_;
};

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

std::string TransformSpec::Where(const std::string& path) const {
  auto it = locations.find(path);
  if (it == locations.end()) return path + ": ";
  return it->second + ": " + path + ": ";
}

Result<MigrationSpec> ParseMigrationSpec(const std::string& yaml_text, const std::string& origin) {
  MigrationSpec spec;
  spec.origin = origin;
  spec.base_dir = origin == "<inline>" ? "." : DirName(origin);
  try {
    YAML::Node root = YAML::Load(yaml_text);
    SpecParser parser(origin, &spec);
    GAGGLE_RETURN_IF_ERROR(parser.Parse(root));
  } catch (const YAML::Exception& e) {
    std::string where = origin;
    if (e.mark.line >= 0) where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    return Status::InvalidArgument(where + ": malformed YAML: " + e.msg);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(origin + ": cannot read the spec: " + e.what());
  }
  spec.hash = SpecHash(spec);
  return spec;
}

Result<MigrationSpec> LoadMigrationSpec(const std::string& path) {
  FileSystem* fs = FileSystem::Default();
  GAGGLE_ASSIGN_OR_RETURN(auto file, fs->OpenSequential(path));
  std::string text;
  uint8_t buf[64 * 1024];
  // A spec is a few KB; refuse anything absurd rather than reading it all into memory.
  constexpr size_t kMaxSpecBytes = 16 << 20;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(size_t n, file->Read(sizeof(buf), buf));
    if (n == 0) break;
    text.append(reinterpret_cast<const char*>(buf), n);
    if (text.size() > kMaxSpecBytes) return Status::InvalidArgument(path + ": spec file is larger than 16 MiB");
  }
  return ParseMigrationSpec(text, path);
}

}  // namespace gaggle
