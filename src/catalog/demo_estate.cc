// DesignDemoEstate: the shape of the demo estate (names, lineage, sizes, tiers,
// consumers and their queries, planted faults). Pure: no I/O, no clock; every
// choice comes from one seeded generator, so a seed names an estate.
#include "catalog/demo_estate.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

namespace gaggle {
namespace {

// splitmix64: small, fast, and the same on every platform (unlike std:: distributions).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Unit() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }
  // Uniform in [0, n); n > 0.
  uint32_t Below(size_t n) { return static_cast<uint32_t>(Next() % n); }
  bool Chance(double p) { return Unit() < p; }
  // Index drawn with the given (non-negative, not all zero) weights.
  size_t Weighted(const std::vector<double>& w) {
    double total = 0;
    for (double x : w) total += x;
    double r = Unit() * total;
    for (size_t i = 0; i < w.size(); ++i) {
      if (r < w[i]) return i;
      r -= w[i];
    }
    return w.size() - 1;
  }

 private:
  uint64_t state_;
};

struct Domain {
  const char* name;
  const char* team;
  std::vector<const char*> nouns;  // what its raw sources record
};

const std::vector<Domain>& Domains() {
  static const std::vector<Domain> kDomains = {
      {"payments",
       "team-payments",
       {"card_authorizations", "refunds", "payouts", "chargebacks", "settlements", "invoices", "ledger_entries",
        "disputes", "wallet_topups", "fx_conversions"}},
      {"growth",
       "team-growth",
       {"signups", "referrals", "campaign_clicks", "experiments", "activations", "onboarding_steps", "push_opens",
        "email_events"}},
      {"logistics",
       "team-logistics",
       {"shipments", "deliveries", "pickups", "warehouse_scans", "returns", "carrier_events", "route_plans",
        "inventory_moves"}},
      {"marketplace",
       "team-marketplace",
       {"orders", "listings", "cart_events", "reviews", "seller_payouts", "search_clicks", "price_changes",
        "promotions"}},
      {"identity",
       "team-identity",
       {"logins", "sessions", "password_resets", "mfa_challenges", "profile_updates", "device_links", "consents"}},
      {"risk",
       "team-risk",
       {"fraud_scores", "velocity_checks", "blocklist_hits", "kyc_checks", "alerts", "case_actions"}},
      {"finance", "team-finance", {"revenue", "gl_postings", "tax_lines", "budgets", "cost_allocations", "accruals"}},
      {"support",
       "team-support",
       {"tickets", "chat_messages", "csat_surveys", "call_logs", "escalations", "macro_uses"}},
  };
  return kDomains;
}

// What each lineage layer does to its input, in dataset names.
const char* kLayerWords[] = {"raw", "clean", "enriched", "daily", "agg", "mart", "report", "kpi"};
// Told apart by region at the source, by grain further down.
const std::vector<const char*> kSourceQualifiers = {"eu", "us", "apac", "latam", "mobile", "web", "partner", "legacy"};
const std::vector<const char*> kQualifiers = {"by_country", "by_user", "hourly",  "by_session",
                                              "sample",     "latest",  "history", "eu"};
// Share of the datasets in each layer (layers shrink: many sources, fewer marts).
const double kLayerWeights[] = {0.22, 0.20, 0.17, 0.14, 0.11, 0.08, 0.05, 0.03};

struct ConsumerKind {
  const char* type;
  const char* suffix;
  std::vector<const char*> purposes;
};

const std::vector<ConsumerKind>& ConsumerKinds() {
  static const std::vector<ConsumerKind> kKinds = {
      {"service",
       "service",
       {"checkout-api", "reconciliation", "fraud-screening", "pricing", "recommendations", "notifications", "billing",
        "ledger-sync", "routing", "search-ranking"}},
      {"dashboard", "dashboard", {"revenue", "funnel", "ops", "kpi", "sla", "cohorts", "executive", "country-mix"}},
      {"ml-model", "model", {"churn", "ltv", "fraud", "demand-forecast", "eta", "propensity"}},
  };
  return kKinds;
}

// Consumer queries over the events columns, as written against v1 (text `ts` and
// `amount`, cast where used; `legacy_flag` is unused, which is why the migration may
// drop it). {t} is the dataset id.
const char* kQueryTemplates[] = {
    "SELECT country, COUNT(*) AS events, SUM(CAST(amount AS DOUBLE)) AS revenue FROM {t} GROUP BY country",
    "SELECT date_trunc('day', CAST(ts AS TIMESTAMP)) AS day, COUNT(DISTINCT user_id) AS active_users FROM {t} "
    "GROUP BY 1",
    "SELECT country, AVG(CAST(amount AS DOUBLE)) AS avg_amount, MAX(CAST(amount AS DOUBLE)) AS max_amount FROM {t} "
    "WHERE session IS NOT NULL GROUP BY country",
    "SELECT user_id, COUNT(*) AS events, SUM(CAST(amount AS DOUBLE)) AS spend FROM {t} WHERE country IN ('DE', "
    "'FR', 'NL') GROUP BY user_id HAVING COUNT(*) >= 2",
    "SELECT country, COUNT(DISTINCT session) AS sessions FROM {t} WHERE CAST(amount AS DOUBLE) >= 100 GROUP BY "
    "country",
    "SELECT date_trunc('hour', CAST(ts AS TIMESTAMP)) AS hour, country, COUNT(*) AS events FROM {t} WHERE "
    "CAST(amount AS DOUBLE) > 0 GROUP BY 1, 2",
};
constexpr size_t kNumQueryTemplates = sizeof(kQueryTemplates) / sizeof(kQueryTemplates[0]);

// Avro bytes per events row (snappy, 64K-row blocks), measured: 98.0 MB for 3.28M rows.
// Turns the designed sizes into row counts.
constexpr double kAvroBytesPerRow = 30.0;
constexpr double kMB = 1e6;
constexpr int64_t kMinRows = 100;
constexpr double kMaxPartBytes = 64 * kMB;

int LayersFor(int n) { return n < 60 ? 5 : n < 150 ? 6 : n < 600 ? 7 : 8; }

std::string Render(const char* templ, const std::string& table) {
  std::string s = templ;
  size_t p = s.find("{t}");
  s.replace(p, 3, table);
  return s;
}

class Designer {
 public:
  explicit Designer(const DemoEstateOptions& o) : rng_(o.seed) { e_.options = o; }

  DemoEstate Run() {
    e_.layers = LayersFor(e_.options.datasets);
    LayerSizes();
    Sources();
    for (int k = 1; k < e_.layers; ++k) Derived(k);
    Tiers();
    Sizes();
    Consumers();
    Faults();
    for (const DemoDataset& d : e_.datasets) e_.dataset_edges += d.upstream.size();
    for (const DemoConsumer& c : e_.consumers) e_.consumer_edges += c.reads.size();
    return std::move(e_);
  }

 private:
  uint32_t Add(DemoDataset d) {
    // Names follow the lineage ("payments_clean_refunds" reads "payments_raw_refunds");
    // a qualifier, then a number, keeps them unique.
    std::string base = d.domain + "_" + kLayerWords[d.layer] + "_" + d.noun;
    std::string id = base;
    const std::vector<const char*>& qualifiers = d.layer == 0 ? kSourceQualifiers : kQualifiers;
    for (size_t q = 0; names_.count(id) != 0; ++q) {
      id = q < qualifiers.size() ? base + "_" + qualifiers[q] : base + "_" + std::to_string(q - qualifiers.size() + 2);
    }
    names_.insert(id);
    d.id = id;
    d.data_seed = e_.options.seed * 1000003 + e_.datasets.size() * 7919 + 17;
    e_.datasets.push_back(std::move(d));
    layer_members_[static_cast<size_t>(e_.datasets.back().layer)].push_back(
        static_cast<uint32_t>(e_.datasets.size() - 1));
    return static_cast<uint32_t>(e_.datasets.size() - 1);
  }

  void LayerSizes() {
    const int n = e_.options.datasets, layers = e_.layers;
    double total = 0;
    for (int k = 0; k < layers; ++k) total += kLayerWeights[k];
    layer_sizes_.assign(static_cast<size_t>(layers), 1);
    int used = layers;
    for (int k = 0; k < layers; ++k) {
      int extra = std::max(0, static_cast<int>(std::floor(n * kLayerWeights[k] / total)) - 1);
      layer_sizes_[static_cast<size_t>(k)] += extra;
      used += extra;
    }
    for (int k = 0; used < n; k = (k + 1) % 2, ++used) ++layer_sizes_[static_cast<size_t>(k)];
    layer_members_.assign(static_cast<size_t>(layers), {});
  }

  void Sources() {
    const auto& domains = Domains();
    std::vector<size_t> order(domains.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng_.Below(i)]);
    std::vector<size_t> next_noun(domains.size(), 0);
    for (int i = 0; i < layer_sizes_[0]; ++i) {
      const size_t di = order[static_cast<size_t>(i) % order.size()];
      const Domain& dom = domains[di];
      DemoDataset d;
      d.layer = 0;
      d.domain = dom.name;
      d.team = dom.team;
      d.noun = dom.nouns[next_noun[di]++ % dom.nouns.size()];
      d.cadence = rng_.Chance(0.6) ? "hourly" : "daily";
      Add(std::move(d));
    }
    // The biggest raw feeds are the hubs everything reads.
    const size_t n_big = std::clamp<size_t>(static_cast<size_t>(std::lround(e_.options.datasets / 60.0)), 1,
                                            std::max<size_t>(1, layer_members_[0].size() / 2));
    std::vector<uint32_t> raw = layer_members_[0];
    for (size_t i = 0; i < n_big; ++i) {
      std::swap(raw[i], raw[i + rng_.Below(raw.size() - i)]);
      big_.push_back(raw[i]);
      e_.datasets[raw[i]].hub = true;
      hubs_.push_back(raw[i]);
    }
  }

  // Upstream candidates: the hubs in earlier layers, or a dataset of an earlier
  // layer (recent layers and the same domain preferred).
  uint32_t PickExtraUpstream(int k, const std::string& domain) {
    std::vector<uint32_t> early_hubs;
    for (uint32_t h : hubs_) {
      if (e_.datasets[h].layer < k) early_hubs.push_back(h);
    }
    if (!early_hubs.empty() && rng_.Chance(0.35)) {
      std::vector<double> w;  // Zipf-like: the first hubs draw the most readers
      for (size_t i = 0; i < early_hubs.size(); ++i) w.push_back(1.0 / static_cast<double>(i + 1));
      return early_hubs[rng_.Weighted(w)];
    }
    int layer = std::max(0, k - 1 - static_cast<int>(rng_.Weighted({0.5, 0.3, 0.12, 0.08})));
    const std::vector<uint32_t>& members = layer_members_[static_cast<size_t>(layer)];
    if (rng_.Chance(0.6)) {
      std::vector<uint32_t> same;
      for (uint32_t m : members) {
        if (e_.datasets[m].domain == domain) same.push_back(m);
      }
      if (!same.empty()) return same[rng_.Below(same.size())];
    }
    return members[rng_.Below(members.size())];
  }

  void Derived(int k) {
    const std::vector<uint32_t>& above = layer_members_[static_cast<size_t>(k - 1)];
    size_t cursor = rng_.Below(above.size());
    for (int i = 0; i < layer_sizes_[static_cast<size_t>(k)]; ++i) {
      // The first upstream sits in the layer just above (so the layer is the depth);
      // mostly round-robin, so that most datasets get a reader.
      uint32_t first = rng_.Chance(0.7) ? above[cursor++ % above.size()] : above[rng_.Below(above.size())];
      const DemoDataset& up = e_.datasets[first];
      DemoDataset d;
      d.layer = k;
      d.noun = up.noun;
      const Domain& dom = rng_.Chance(0.8) ? *FindDomain(up.domain) : Domains()[rng_.Below(Domains().size())];
      d.domain = dom.name;
      d.team = dom.team;
      double c = rng_.Unit();
      d.cadence = c < 0.2 ? "hourly" : c < 0.85 ? "daily" : "weekly";
      d.upstream.push_back(first);
      const int fan_in = 1 + static_cast<int>(rng_.Weighted({0.30, 0.35, 0.22, 0.13}));
      for (int tries = 0; static_cast<int>(d.upstream.size()) < fan_in && tries < 12; ++tries) {
        uint32_t u = PickExtraUpstream(k, d.domain);
        if (std::find(d.upstream.begin(), d.upstream.end(), u) == d.upstream.end()) d.upstream.push_back(u);
      }
      for (size_t j = 0; j < d.upstream.size(); ++j) d.declared_by_upstream.push_back(rng_.Chance(0.12));
      uint32_t idx = Add(std::move(d));
      // A few clean/enriched versions of the big feeds become hubs too.
      if (k <= 2 && e_.datasets[first].hub && hubs_.size() < static_cast<size_t>(2 + e_.options.datasets / 25) &&
          rng_.Chance(0.5)) {
        e_.datasets[idx].hub = true;
        hubs_.push_back(idx);
      }
    }
  }

  static const Domain* FindDomain(const std::string& name) {
    for (const Domain& d : Domains()) {
      if (name == d.name) return &d;
    }
    return &Domains()[0];
  }

  void Tiers() {
    for (DemoDataset& d : e_.datasets) {
      double r = rng_.Unit();
      if (d.hub) {
        d.tier = Tier::kCritical;
      } else if (d.layer == 0) {
        d.tier = r < 0.35 ? Tier::kLow : r < 0.8 ? Tier::kStandard : Tier::kCritical;
      } else {
        d.tier = r < 0.25 ? Tier::kLow : r < 0.85 ? Tier::kStandard : Tier::kCritical;
      }
    }
    // The canary (5%, low tier) is drawn from the earliest waves: make sure enough raw
    // sources are low-tier for it to fill.
    size_t want = static_cast<size_t>(std::ceil(0.05 * e_.options.datasets)) + 1, have = 0;
    for (uint32_t i : layer_members_[0]) have += e_.datasets[i].tier == Tier::kLow;
    for (uint32_t i : layer_members_[0]) {
      if (have >= want) break;
      DemoDataset& d = e_.datasets[i];
      if (!d.hub && d.tier == Tier::kStandard) d.tier = Tier::kLow, ++have;
    }
  }

  void Sizes() {
    // Long tail: most datasets 1-10 MB (skewed small, deeper layers smaller), a
    // handful of big raw feeds 50-240 MB. Every draw is made whatever the scale, so
    // that the scale changes row counts only, never names, lineage or faults.
    target_bytes_.resize(e_.datasets.size());
    for (size_t i = 0; i < e_.datasets.size(); ++i) {
      double u = rng_.Unit();
      double mb = std::pow(10.0, u * u) * (1.0 - 0.06 * e_.datasets[i].layer);
      target_bytes_[i] = std::max(1.0, mb) * kMB;
    }
    for (size_t i = 0; i < big_.size(); ++i) {
      double t = big_.size() == 1 ? 0.5 : static_cast<double>(i) / static_cast<double>(big_.size() - 1);
      target_bytes_[big_[i]] = 50 * kMB * std::pow(240.0 / 50.0, t);
    }
    for (size_t i = 0; i < e_.datasets.size(); ++i) {
      DemoDataset& d = e_.datasets[i];
      const bool daily_parts = rng_.Chance(0.18);
      const int extra_part = static_cast<int>(rng_.Below(2));
      const bool gzip = rng_.Chance(0.08);
      d.rows = std::max<int64_t>(kMinRows, std::llround(target_bytes_[i] * e_.options.size_scale / kAvroBytesPerRow));
      d.bytes = static_cast<uint64_t>(static_cast<double>(d.rows) * kAvroBytesPerRow);  // estimate until written
      if (static_cast<double>(d.bytes) > kMaxPartBytes) {
        d.parts = static_cast<int>(std::ceil(static_cast<double>(d.bytes) / kMaxPartBytes));
      } else if (daily_parts && d.rows >= 4 * kMinRows) {
        d.parts = 2 + extra_part;
      }
      d.compression = gzip && !d.hub ? Compression::kGzip : Compression::kSnappy;
    }
  }

  void Consumers() {
    const size_t n = static_cast<size_t>(std::max(4L, std::lround(e_.options.datasets * 2.0 / 15.0)));
    std::set<std::string> names;
    for (size_t i = 0; i < n; ++i) {
      DemoConsumer c;
      const Domain& dom = Domains()[rng_.Below(Domains().size())];
      const ConsumerKind& kind = ConsumerKinds()[rng_.Weighted({0.45, 0.40, 0.15})];
      c.type = kind.type;
      c.team = dom.team;
      std::string base =
          std::string(dom.name) + "-" + kind.purposes[rng_.Below(kind.purposes.size())] + "-" + kind.suffix;
      c.name = base;
      for (int s = 2; names.count(c.name) != 0; ++s) c.name = base + "-" + std::to_string(s);
      names.insert(c.name);
      const int reads = 1 + static_cast<int>(rng_.Weighted({0.35, 0.45, 0.20}));
      for (int tries = 0; static_cast<int>(c.reads.size()) < reads && tries < 12; ++tries) {
        uint32_t pick;
        double r = rng_.Unit();
        if (r < 0.25) {
          pick = hubs_[rng_.Below(hubs_.size())];
        } else if (r < 0.8) {  // marts, reports and KPIs, own domain first
          int layer = std::max(0, e_.layers - 1 - static_cast<int>(rng_.Below(3)));
          const auto& members = layer_members_[static_cast<size_t>(layer)];
          pick = members[rng_.Below(members.size())];
          for (uint32_t m : members) {
            if (e_.datasets[m].domain == dom.name && rng_.Chance(0.5)) pick = m;
          }
        } else {
          pick = static_cast<uint32_t>(rng_.Below(e_.datasets.size()));
        }
        if (std::find(c.reads.begin(), c.reads.end(), pick) == c.reads.end()) c.reads.push_back(pick);
      }
      size_t t0 = rng_.Below(kNumQueryTemplates),
             t1 = (t0 + 1 + rng_.Below(kNumQueryTemplates - 1)) % kNumQueryTemplates;
      c.queries.push_back(Render(kQueryTemplates[t0], e_.datasets[c.reads[0]].id));
      c.queries.push_back(Render(kQueryTemplates[t1], e_.datasets[c.reads[c.reads.size() > 1 ? 1 : 0]].id));
      e_.consumers.push_back(std::move(c));
    }
  }

  // The first non-empty class of candidates, by preference; all datasets if none.
  uint32_t PickFrom(const std::vector<std::function<bool(uint32_t)>>& classes) {
    for (const auto& accept : classes) {
      std::vector<uint32_t> c;
      for (uint32_t i = 0; i < e_.datasets.size(); ++i) {
        if (e_.datasets[i].fault == DemoFault::kNone && accept(i)) c.push_back(i);
      }
      if (!c.empty()) return c[rng_.Below(c.size())];
    }
    for (uint32_t i = 0; i < e_.datasets.size(); ++i) {
      if (e_.datasets[i].fault == DemoFault::kNone) return i;
    }
    return 0;
  }

  void Faults() {
    std::vector<int> readers(e_.datasets.size(), 0), consumers(e_.datasets.size(), 0);
    for (const DemoDataset& d : e_.datasets) {
      for (uint32_t u : d.upstream) ++readers[u];
    }
    for (const DemoConsumer& c : e_.consumers) {
      for (uint32_t r : c.reads) ++consumers[r];
    }
    const int last = e_.layers - 1;
    auto quiet_leaf = [&](uint32_t i) { return readers[i] == 0 && consumers[i] == 0 && !e_.datasets[i].hub; };
    // Permanent failures: quiet leaves of the deepest layer (they block nothing and
    // land in the last stage), standard tier (kept out of the low-tier canary).
    std::vector<std::function<bool(uint32_t)>> permanent = {
        [&](uint32_t i) { return quiet_leaf(i) && e_.datasets[i].layer == last && e_.datasets[i].tier != Tier::kLow; },
        [&](uint32_t i) { return quiet_leaf(i) && e_.datasets[i].layer >= last - 1; },
        [&](uint32_t i) { return quiet_leaf(i); },
        [&](uint32_t i) { return readers[i] == 0 && !e_.datasets[i].hub; },
    };
    e_.too_many_bad_records = PickFrom(permanent);
    e_.datasets[e_.too_many_bad_records].fault = DemoFault::kTooManyBadRecords;
    e_.datasets[e_.too_many_bad_records].bad_fraction = kDemoTooManyBadFraction;
    e_.schema_mismatch = PickFrom(permanent);
    e_.datasets[e_.schema_mismatch].fault = DemoFault::kSchemaMismatch;

    // Stall once: a mid-sized standard dataset of the first derived layer (the middle
    // stages, after the canary, with work downstream waiting for its retry).
    std::vector<double> sizes;
    for (size_t i = 0; i < e_.datasets.size(); ++i) {
      if (!e_.datasets[i].hub) sizes.push_back(target_bytes_[i]);
    }
    std::sort(sizes.begin(), sizes.end());
    const double mid = sizes.empty() ? 0 : sizes[sizes.size() * 4 / 5];
    std::vector<std::function<bool(uint32_t)>> stall = {
        [&](uint32_t i) {
          const DemoDataset& d = e_.datasets[i];
          return !d.hub && d.layer == 1 && d.tier == Tier::kStandard && target_bytes_[i] >= mid && readers[i] > 0;
        },
        [&](uint32_t i) {
          const DemoDataset& d = e_.datasets[i];
          return !d.hub && d.layer >= 1 && d.layer <= std::max(1, last - 2) && target_bytes_[i] >= mid &&
                 readers[i] > 0;
        },
        [&](uint32_t i) { return !e_.datasets[i].hub && e_.datasets[i].layer >= 1; },
    };
    e_.stall_once = PickFrom(stall);
    e_.datasets[e_.stall_once].fault = DemoFault::kStallOnce;

    // Bad records below the budget: about 5% of the datasets, not the ones services
    // query directly (their v1 queries CAST the amount text).
    const size_t n_bad = std::max<size_t>(1, static_cast<size_t>(std::lround(0.05 * e_.options.datasets)));
    std::vector<std::function<bool(uint32_t)>> bad = {[&](uint32_t i) { return consumers[i] == 0; },
                                                      [&](uint32_t) { return true; }};
    for (size_t k = 0; k < n_bad; ++k) {
      uint32_t i = PickFrom(bad);
      e_.datasets[i].fault = DemoFault::kBadRecords;
      e_.datasets[i].bad_fraction = (10 + rng_.Below(51)) / 10000.0;  // 0.10% .. 0.60%
      e_.bad_records.push_back(i);
    }
    std::sort(e_.bad_records.begin(), e_.bad_records.end());
  }

  Rng rng_;
  DemoEstate e_;
  std::vector<int> layer_sizes_;
  std::vector<std::vector<uint32_t>> layer_members_;
  std::vector<uint32_t> big_, hubs_;
  std::vector<double> target_bytes_;  // at size scale 1
  std::set<std::string> names_;
};

}  // namespace

const char* DemoFaultName(DemoFault fault) {
  switch (fault) {
    case DemoFault::kNone: return "none";
    case DemoFault::kBadRecords: return "bad-records";
    case DemoFault::kTooManyBadRecords: return "too-many-bad-records";
    case DemoFault::kSchemaMismatch: return "schema-mismatch";
    case DemoFault::kStallOnce: return "stall-once";
  }
  return "none";
}

Result<DemoEstate> DesignDemoEstate(const DemoEstateOptions& options) {
  if (options.datasets < 10 || options.datasets > 100000) {
    return Status::InvalidArgument("demo estate: --datasets must be within [10, 100000], got " +
                                   std::to_string(options.datasets));
  }
  if (!(options.size_scale > 0) || options.size_scale > 1000) {
    return Status::InvalidArgument("demo estate: --size-scale must be above 0 and at most 1000");
  }
  if (options.profile != "events" && options.profile != "nested") {
    return Status::InvalidArgument("demo estate: --profile must be events or nested, got '" + options.profile + "'");
  }
  if (options.threads < 1 || options.threads > 64) {
    return Status::InvalidArgument("demo estate: threads must be within [1, 64]");
  }
  return Designer(options).Run();
}

}  // namespace gaggle
