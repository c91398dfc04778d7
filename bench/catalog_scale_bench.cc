// catalog_scale_bench: the catalog and planner at estate scale.
//
// Generates a catalog with realistic shape — few roots, ~24 lineage layers of
// shrinking size, long-tailed fan-in, a few hundred hub datasets with thousands
// of consumers each, and service components reading datasets — imports it into
// a fresh SQLite state store, re-imports it unchanged, plans ALL of it (5/25/50/100
// stages) and saves the plan, then times `catalog show` of the biggest hub.
// Each phase runs in its own process (this program re-executes itself), so the
// peak RSS printed for a phase is that phase's own, as a user's `gaggle catalog
// import` / `gaggle plan` / `gaggle catalog show` would see it.
//
//   catalog_scale_bench [DATASETS=1000000] [--edges-per-dataset 3] [--state PATH] [--keep]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "plan/planner.h"
#include "store/state_store.h"

namespace {

using gaggle::Catalog;
using gaggle::Entity;
using gaggle::EntityKind;
using gaggle::NodeId;
using gaggle::Tier;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// CPU seconds (user + system) this process has used: the machine is shared, so wall
// time alone overstates what gaggle costs when other work competes for the cores.
double CpuSeconds() {
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double PeakRssMb() {
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

[[noreturn]] void Die(const gaggle::Status& st) {
  std::cerr << "catalog_scale_bench: " << st.ToString() << std::endl;
  std::exit(1);
}

std::string Pad(uint64_t i, int width) {
  std::string s = std::to_string(i);
  return std::string(static_cast<size_t>(std::max(0, width - static_cast<int>(s.size()))), '0') + s;
}

struct Generated {
  Catalog catalog;
  std::string hub_id;  // the dataset with the most direct downstream entities
  size_t hubs = 0;
};

// Consumers sort before datasets ("component:" < "ds."), so they take the first indices.
Generated Generate(uint64_t n, double edges_per_dataset, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  const uint64_t consumers = std::max<uint64_t>(10, n / 20);
  const int layers = 24;
  // Layer sizes: a few roots, then geometrically shrinking layers (a long tail of depth).
  std::vector<uint64_t> layer_start(layers + 1, 0);
  {
    uint64_t roots = std::max<uint64_t>(5, n / 500);
    double rest = static_cast<double>(n - roots), weight = 0, w = 1;
    for (int k = 1; k < layers; ++k, w *= 0.85) weight += w;
    layer_start[1] = roots;
    w = 1;
    for (int k = 1; k < layers; ++k, w *= 0.85) {
      uint64_t size = k + 1 == layers ? n - layer_start[k] : static_cast<uint64_t>(rest * w / weight);
      layer_start[k + 1] = std::min(n, layer_start[k] + size);
    }
    layer_start[layers] = n;
  }
  // Hubs: the first datasets of layers 0-2, popular upstreams with a Zipf-like pull.
  const uint64_t hubs = std::min<uint64_t>(std::max<uint64_t>(3, n / 5000), layer_start[3]);
  auto pick_hub = [&] { return static_cast<uint64_t>(static_cast<double>(hubs) * std::pow(unit(rng), 1.3)); };

  std::vector<Entity> entities;
  entities.reserve(consumers + n);
  static const char* kFormats[] = {"avro", "avro", "avro", "csv", "jsonl", "parquet"};
  for (uint64_t j = 0; j < consumers; ++j) {
    Entity e;
    e.kind = EntityKind::kComponent;
    e.name = "svc-" + Pad(j, 7);
    e.id = "component:" + e.name;
    e.type = "service";
    e.owner = "team-" + std::to_string(j % 300);
    e.lifecycle = "production";
    e.queries = {"SELECT COUNT(*) FROM t" + std::to_string(j % 97)};
    entities.push_back(std::move(e));
  }
  for (uint64_t i = 0; i < n; ++i) {
    Entity e;
    e.kind = EntityKind::kDataset;
    e.id = e.name = "ds." + Pad(i, 8);
    e.type = "dataset";
    e.uri = "s3://lake/raw/" + e.id + "/";
    e.format = kFormats[i % 6];
    e.schema_version = 1;
    double t = unit(rng);
    e.tier = t < 0.1 ? Tier::kCritical : t < 0.7 ? Tier::kStandard : Tier::kLow;
    e.owner = "team-" + std::to_string(i % 300);
    e.cadence = (i % 7 == 0) ? "hourly" : "daily";
    e.size_bytes = static_cast<int64_t>(std::exp(14 + 4 * unit(rng)));
    e.labels["domain"] = "d" + std::to_string(i % 40);
    entities.push_back(std::move(e));
  }
  const uint64_t ds0 = consumers;  // index of dataset 0
  std::vector<std::pair<NodeId, NodeId>> edges;
  const uint64_t dataset_edges = static_cast<uint64_t>(edges_per_dataset * static_cast<double>(n) * 0.93);
  const uint64_t consumer_edges = static_cast<uint64_t>(edges_per_dataset * static_cast<double>(n)) - dataset_edges;
  edges.reserve(dataset_edges + consumer_edges);
  const double mean_fanin = static_cast<double>(dataset_edges) / static_cast<double>(n - layer_start[1]);
  std::geometric_distribution<int> extra(1.0 / mean_fanin);
  for (int k = 1; k < layers; ++k) {
    for (uint64_t i = layer_start[k]; i < layer_start[k + 1]; ++i) {
      int fanin = std::min(1 + extra(rng), 200);
      for (int f = 0; f < fanin; ++f) {
        uint64_t u;
        double r = unit(rng);
        if (r < 0.2) {
          u = pick_hub();
        } else if (r < 0.75) {
          u = layer_start[k - 1] + rng() % (layer_start[k] - layer_start[k - 1]);
        } else {
          u = rng() % layer_start[k];
        }
        edges.emplace_back(static_cast<NodeId>(ds0 + u), static_cast<NodeId>(ds0 + i));
      }
    }
  }
  for (uint64_t c = 0; c < consumer_edges; ++c) {
    uint64_t u = unit(rng) < 0.3 ? pick_hub() : rng() % n;
    edges.emplace_back(static_cast<NodeId>(ds0 + u), static_cast<NodeId>(rng() % consumers));
  }
  auto catalog = Catalog::FromSorted(std::move(entities), std::move(edges));
  if (!catalog.ok()) Die(catalog.status());
  Generated g{std::move(catalog).value(), "", hubs};
  size_t best = 0;
  for (uint64_t h = 0; h < hubs; ++h) {
    size_t d = g.catalog.Downstream(static_cast<NodeId>(ds0 + h)).size();
    if (d > best) {
      best = d;
      g.hub_id = g.catalog.entity(static_cast<NodeId>(ds0 + h)).id;
    }
  }
  return g;
}

// --- phases (each in its own process; prints one JSON line)

nlohmann::json PhaseImport(const std::string& state, uint64_t n, double epd) {
  nlohmann::json out;
  auto t0 = Clock::now();
  double c0 = CpuSeconds();
  Generated g = Generate(n, epd, 20240501);
  out["generate_s"] = Seconds(t0);
  out["generate_cpu_s"] = CpuSeconds() - c0;
  out["entities"] = g.catalog.size();
  out["datasets"] = g.catalog.num_datasets();
  out["edges"] = g.catalog.num_edges();
  out["hubs"] = g.hubs;
  out["hub_id"] = g.hub_id;
  auto store = gaggle::OpenStateStore(state);
  if (!store.ok()) Die(store.status());
  t0 = Clock::now();
  c0 = CpuSeconds();
  auto first = (*store)->ReplaceCatalog(g.catalog, {"bench", "bench"});
  if (!first.ok()) Die(first.status());
  out["import_s"] = Seconds(t0);
  out["import_cpu_s"] = CpuSeconds() - c0;
  t0 = Clock::now();
  c0 = CpuSeconds();
  auto again = (*store)->ReplaceCatalog(g.catalog, {"bench", "bench"});
  if (!again.ok()) Die(again.status());
  out["reimport_unchanged_s"] = Seconds(t0);
  out["reimport_cpu_s"] = CpuSeconds() - c0;
  out["reimport_changed"] = again->changed();
  out["peak_rss_mb"] = PeakRssMb();
  return out;
}

nlohmann::json PhasePlan(const std::string& state) {
  nlohmann::json out;
  auto store = gaggle::OpenStateStore(state);
  if (!store.ok()) Die(store.status());
  auto t0 = Clock::now();
  double c0 = CpuSeconds();
  gaggle::LoadCatalogOptions load;
  load.with_queries = false;
  load.with_annotations = false;
  auto catalog = (*store)->LoadCatalog(load);
  if (!catalog.ok()) Die(catalog.status());
  out["load_s"] = Seconds(t0);
  out["load_cpu_s"] = CpuSeconds() - c0;
  gaggle::MigrationSpec spec;
  spec.name = "bench-all";
  spec.version = 2;
  spec.hash = "bench";
  spec.select.id_pattern = "*";
  spec.rollout.stages = {5, 25, 50, 100};
  spec.rollout.canary_tiers = {"low"};
  spec.target.uri_template = "s3://lake/v2/{id}/";
  t0 = Clock::now();
  c0 = CpuSeconds();
  auto plan = gaggle::BuildPlan(*catalog, spec);
  if (!plan.ok()) Die(plan.status());
  out["plan_s"] = Seconds(t0);
  out["plan_cpu_s"] = CpuSeconds() - c0;
  out["plan_rss_mb"] = PeakRssMb();
  out["waves"] = plan->num_waves;
  size_t approx = 0;
  uint64_t max_blast = 0;
  for (const gaggle::PlanRow& r : plan->rows) {
    approx += r.blast_radius_exact ? 0 : 1;
    max_blast = std::max(max_blast, r.blast_radius);
  }
  out["blast_approximate"] = approx;
  out["max_blast_radius"] = max_blast;
  out["canary"] = plan->stages[0].datasets;
  t0 = Clock::now();
  c0 = CpuSeconds();
  gaggle::Status st = (*store)->SavePlan(*plan);
  if (!st.ok()) Die(st);
  out["save_s"] = Seconds(t0);
  out["save_cpu_s"] = CpuSeconds() - c0;
  out["peak_rss_mb"] = PeakRssMb();
  return out;
}

nlohmann::json PhaseShow(const std::string& state, const std::string& hub) {
  nlohmann::json out;
  std::vector<double> ms, cpu_ms;
  size_t down = 0, up = 0;
  for (int i = 0; i < 21; ++i) {
    auto t0 = Clock::now();
    double c0 = CpuSeconds();
    // What `gaggle catalog show` does: open the state, read the entity and both neighbourhoods.
    auto store = gaggle::OpenStateStore(state);
    if (!store.ok()) Die(store.status());
    auto e = (*store)->FindEntity(hub);
    auto u = (*store)->Neighbors(hub, gaggle::Direction::kUpstream);
    auto d = (*store)->Neighbors(hub, gaggle::Direction::kDownstream);
    if (!e.ok() || !u.ok() || !d.ok()) Die(!e.ok() ? e.status() : !u.ok() ? u.status() : d.status());
    ms.push_back(Seconds(t0) * 1000);
    cpu_ms.push_back((CpuSeconds() - c0) * 1000);
    down = d->size();
    up = u->size();
  }
  out["first_ms"] = ms[0];
  std::sort(ms.begin() + 1, ms.end());
  out["median_ms"] = ms[ms.size() / 2];
  out["max_ms"] = ms.back();
  std::sort(cpu_ms.begin() + 1, cpu_ms.end());
  out["median_cpu_ms"] = cpu_ms[cpu_ms.size() / 2];
  out["downstream"] = down;
  out["upstream"] = up;
  out["peak_rss_mb"] = PeakRssMb();
  return out;
}

nlohmann::json RunChild(const std::vector<std::string>& args, double* child_rss_mb) {
  int fds[2];
  if (::pipe(fds) != 0) Die(gaggle::Status::IOError("pipe"));
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv("/proc/self/exe", argv.data());
    std::_Exit(127);
  }
  ::close(fds[1]);
  std::string text;
  char buf[4096];
  ssize_t r;
  while ((r = ::read(fds[0], buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(r));
  ::close(fds[0]);
  int status = 0;
  struct rusage ru;
  ::wait4(pid, &status, 0, &ru);
  *child_rss_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::cerr << "catalog_scale_bench: phase " << args[1] << " failed" << std::endl;
    std::exit(1);
  }
  return nlohmann::json::parse(text);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  if (args.size() >= 3 && args[1] == "--phase") {
    nlohmann::json out;
    if (args[2] == "import") out = PhaseImport(args[3], std::stoull(args[4]), std::stod(args[5]));
    if (args[2] == "plan") out = PhasePlan(args[3]);
    if (args[2] == "show") out = PhaseShow(args[3], args[4]);
    std::cout << out.dump() << std::endl;
    return 0;
  }
  uint64_t n = 1000000;
  double epd = 3;
  std::string state;
  bool keep = false;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--state" && i + 1 < args.size()) {
      state = args[++i];
    } else if (args[i] == "--edges-per-dataset" && i + 1 < args.size()) {
      epd = std::stod(args[++i]);
    } else if (args[i] == "--keep") {
      keep = true;
    } else if (!args[i].empty() && std::isdigit(static_cast<unsigned char>(args[i][0]))) {
      n = std::stoull(args[i]);
    } else {
      std::cerr << "usage: catalog_scale_bench [DATASETS=1000000] [--edges-per-dataset 3] [--state PATH] [--keep]\n";
      return 2;
    }
  }
  if (n < 100) n = 100;
  if (state.empty())
    state = (std::filesystem::temp_directory_path() / ("gaggle-bench-" + std::to_string(::getpid()) + ".db")).string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(state + suffix);

  std::printf("catalog_scale_bench: %llu datasets, ~%.0f edges, state %s\n", static_cast<unsigned long long>(n),
              epd * static_cast<double>(n), state.c_str());
  double rss_import = 0, rss_plan = 0, rss_show = 0;
  nlohmann::json imp =
      RunChild({args[0], "--phase", "import", state, std::to_string(n), std::to_string(epd)}, &rss_import);
  std::printf("phase        wall      cpu\n");
  std::printf("generate   %8.2f s %6.2f s   %llu entities (%llu datasets), %llu edges, %llu hubs\n",
              imp["generate_s"].get<double>(), imp["generate_cpu_s"].get<double>(),
              imp["entities"].get<unsigned long long>(), imp["datasets"].get<unsigned long long>(),
              imp["edges"].get<unsigned long long>(), imp["hubs"].get<unsigned long long>());
  std::printf("import     %8.2f s %6.2f s   into SQLite (one transaction)\n", imp["import_s"].get<double>(),
              imp["import_cpu_s"].get<double>());
  std::printf("re-import  %8.2f s %6.2f s   unchanged (changes recorded: %s)\n",
              imp["reimport_unchanged_s"].get<double>(), imp["reimport_cpu_s"].get<double>(),
              imp["reimport_changed"].get<bool>() ? "yes" : "none");
  std::printf("           peak RSS %.0f MB (generate + import + re-import)\n", rss_import);
  nlohmann::json plan = RunChild({args[0], "--phase", "plan", state}, &rss_plan);
  std::printf("load       %8.2f s %6.2f s   catalog from the state store\n", plan["load_s"].get<double>(),
              plan["load_cpu_s"].get<double>());
  std::printf(
      "plan       %8.2f s %6.2f s   all datasets: %d waves, canary %lld, max blast radius %llu, %llu estimated\n",
      plan["plan_s"].get<double>(), plan["plan_cpu_s"].get<double>(), plan["waves"].get<int>(),
      plan["canary"].get<long long>(), plan["max_blast_radius"].get<unsigned long long>(),
      plan["blast_approximate"].get<unsigned long long>());
  std::printf("save plan  %8.2f s %6.2f s\n", plan["save_s"].get<double>(), plan["save_cpu_s"].get<double>());
  std::printf("           peak RSS %.0f MB (load + plan + save), %.0f MB after planning\n", rss_plan,
              plan["plan_rss_mb"].get<double>());
  nlohmann::json show = RunChild({args[0], "--phase", "show", state, imp["hub_id"].get<std::string>()}, &rss_show);
  std::printf(
      "show hub   %8.1f ms median (%.1f ms cpu), %.1f ms first, %.1f ms max (%s: %llu downstream, %llu upstream)\n",
      show["median_ms"].get<double>(), show["median_cpu_ms"].get<double>(), show["first_ms"].get<double>(),
      show["max_ms"].get<double>(), imp["hub_id"].get<std::string>().c_str(),
      show["downstream"].get<unsigned long long>(), show["upstream"].get<unsigned long long>());
  double total_plan = plan["load_s"].get<double>() + plan["plan_s"].get<double>() + plan["save_s"].get<double>();
  double total_plan_cpu =
      plan["load_cpu_s"].get<double>() + plan["plan_cpu_s"].get<double>() + plan["save_cpu_s"].get<double>();
  double load1 = 0;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load1) != 1) load1 = 0;
    std::fclose(f);
  }
  std::printf("machine load average %.1f on %ld cores while running (wall times stretch when other work competes)\n",
              load1, ::sysconf(_SC_NPROCESSORS_ONLN));
  std::printf(
      "goals: plan (load+plan+save) %.1f s wall, %.1f s cpu < 30 s: %s; peak %.0f MB < 4096 MB: %s; "
      "show %.1f ms < 50 ms: %s\n",
      total_plan, total_plan_cpu, total_plan < 30 ? "yes" : "NO", rss_plan, rss_plan < 4096 ? "yes" : "NO",
      show["median_ms"].get<double>(), show["median_ms"].get<double>() < 50 ? "yes" : "NO");
  if (!keep) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(state + suffix);
  }
  return 0;
}
