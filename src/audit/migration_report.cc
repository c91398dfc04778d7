#include "audit/migration_report.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "store/event_vocabulary.h"

namespace gaggle {
namespace {

constexpr size_t kTop = 10;

std::string Num(int64_t v) {
  // Built digit by digit: g++ 12 warns (-Wrestrict, a false positive) about inserting.
  const std::string digits = std::to_string(v < 0 ? -v : v);
  std::string s = v < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s += ',';
    s += digits[i];
  }
  return s;
}

std::string Percent(int64_t part, int64_t whole) {
  if (whole <= 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buf;
}

// A run-level or gate event as one readable line; "" when it is not one.
std::string Describe(const Event& e) {
  if (e.to_state == events::kGatePassed || e.to_state == events::kGateFailed) {
    auto g = events::ParseGateDecided(e);
    std::string s = "stage " + (g ? std::to_string(g->stage.value_or(0)) : "?") + " gate " +
                    (e.to_state == events::kGatePassed ? "passed" : "FAILED");
    if (g && g->failing)
      s += " (" + std::to_string(*g->failing) + " failing of " + std::to_string(g->settled) + " settled)";
    return s;
  }
  if (e.to_state == events::kGateApproved) {
    const events::GateApprovedDetail a = events::ParseGateApproved(e).value_or(events::GateApprovedDetail{});
    return (a.stage < 0 ? std::string("final verification") : "stage " + std::to_string(a.stage)) +
           " gate approved by " + e.actor + ": " + a.reason;
  }
  if (e.to_state == events::kVerified || e.to_state == events::kVerificationFailed) {
    const events::VerificationDetail v = events::ParseVerification(e).value_or(events::VerificationDetail{});
    return std::string(e.to_state == events::kVerified ? "verification passed: " : "verification FAILED: ") + v.summary;
  }
  if (!e.dataset.empty()) return "";
  if (e.from_state.empty() && e.to_state.empty()) return "";
  if (e.from_state == e.to_state && e.detail.empty()) return "";
  return "run " + e.from_state + " -> " + e.to_state + (e.detail.empty() || e.detail[0] == '{' ? "" : ": " + e.detail);
}

std::string Html(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

Result<MigrationReport> MigrationReport::Build(StateStore* store, const std::string& migration) {
  MigrationReport r;
  GAGGLE_ASSIGN_OR_RETURN(std::optional<MigrationRun> run, store->FindRun(migration));
  if (!run) return Status::NotFound("no migration '" + migration + "' in " + store->location());
  r.run = *run;
  GAGGLE_ASSIGN_OR_RETURN(r.stages, store->CountTasks(migration));
  GAGGLE_ASSIGN_OR_RETURN(std::vector<TaskRecord> tasks, store->LoadTasks(migration));
  std::vector<const TaskRecord*> by_dlq, by_attempts;
  for (const TaskRecord& t : tasks) {
    ++r.tasks;
    const bool done = IsDone(t.state);
    r.done += done;
    if (done) {
      r.rows_in += t.rows_in;
      r.rows_out += t.rows_out;
      r.dead_lettered += t.dead_lettered;
      r.filtered += t.filtered;
      r.bytes_out += t.bytes_out;
    }
    if (t.attempts > 1) {
      ++r.retried_tasks;
      r.retries += t.attempts - 1;
      by_attempts.push_back(&t);
    }
    if (t.dead_lettered > 0) by_dlq.push_back(&t);
    if (t.state == TaskState::kFailed || t.state == TaskState::kNeedsAttention || t.state == TaskState::kInvalid) {
      ++r.attention;
      std::string err = t.last_error.substr(0, t.last_error.find('\n'));
      r.needs_attention.push_back({t.dataset_id, std::string(TaskStateName(t.state)) + ": " + err});
    }
    if (!t.started_at.empty() && (r.first_start.empty() || t.started_at < r.first_start)) r.first_start = t.started_at;
    if (t.finished_at > r.last_finish) r.last_finish = t.finished_at;
  }
  std::stable_sort(by_dlq.begin(), by_dlq.end(),
                   [](const TaskRecord* a, const TaskRecord* b) { return a->dead_lettered > b->dead_lettered; });
  for (size_t i = 0; i < by_dlq.size() && i < kTop; ++i) {
    r.top_dead_letters.push_back(
        {by_dlq[i]->dataset_id, Num(by_dlq[i]->dead_lettered) + " of " + Num(by_dlq[i]->rows_in) + " rows (" +
                                    Percent(by_dlq[i]->dead_lettered, by_dlq[i]->rows_in) + ")"});
  }
  std::stable_sort(by_attempts.begin(), by_attempts.end(),
                   [](const TaskRecord* a, const TaskRecord* b) { return a->attempts > b->attempts; });
  for (size_t i = 0; i < by_attempts.size() && i < kTop; ++i) {
    r.top_retries.push_back({by_attempts[i]->dataset_id, std::to_string(by_attempts[i]->attempts) + " attempts, now " +
                                                             TaskStateName(by_attempts[i]->state)});
  }

  EventFilter f;
  f.migration = migration;
  f.limit = 10000;
  while (true) {
    GAGGLE_ASSIGN_OR_RETURN(std::vector<Event> page, store->ListEvents(f));
    if (page.empty()) break;
    f.after_seq = page.back().seq;
    for (const Event& e : page) {
      std::string what = Describe(e);
      if (what.empty()) continue;
      const bool gate = events::IsGateEvent(e);
      (gate ? r.gates : r.timeline).push_back({e.time, what});
    }
  }
  GAGGLE_ASSIGN_OR_RETURN(r.verifications, store->ListVerifications(migration, 0));
  if (!r.verifications.empty()) {
    const nlohmann::json report = nlohmann::json::parse(r.verifications.back().report, nullptr, false);
    if (report.is_object() && report.contains("checks") && report["checks"].is_array()) {
      for (const nlohmann::json& c : report["checks"]) {
        if (c.value("outcome", "") == "matched") continue;
        std::string line = c.value("consumer", "") + " query " + c.value("query", nlohmann::json(0)).dump() + " (" +
                           c.value("outcome", "") + "): " + c.value("reason", "");
        if (c.contains("examples_old") && !c["examples_old"].empty())
          line += "; old " + c["examples_old"][0].get<std::string>();
        if (c.contains("examples_new") && !c["examples_new"].empty())
          line += "; new " + c["examples_new"][0].get<std::string>();
        r.verification_problems.push_back(line);
      }
    }
  }
  GAGGLE_ASSIGN_OR_RETURN(std::vector<CutoverRecord> cutovers, store->ListCutovers(migration));
  for (const CutoverRecord& c : cutovers) {
    if (c.state == CutoverState::kCurrent) {
      ++r.cut_current;
      r.retain_until = std::max(r.retain_until, c.retain_until);
    }
    r.cut_rolled_back += c.state == CutoverState::kRolledBack;
    r.cut_collected += c.state == CutoverState::kCollected;
  }
  return r;
}

std::string MigrationReport::ToText() const {
  std::ostringstream o;
  o << "Migration " << run.migration << ": " << RunStateName(run.state)
    << (run.state_reason.empty() ? "" : " (" + run.state_reason + ")") << "\n";
  o << "  spec " << run.spec_hash.substr(0, 12) << ", plan " << run.plan_hash.substr(0, 12) << ", created "
    << run.created_at << ", last change " << run.updated_at << "\n";
  if (!first_start.empty()) o << "  work from " << first_start << " to " << last_finish << "\n";
  o << "\nOutcome\n  " << Num(done) << " of " << Num(tasks) << " datasets migrated, " << Num(attention)
    << " need attention\n  rows: " << Num(rows_in) << " in, " << Num(rows_out) << " out, " << Num(filtered)
    << " filtered by the spec, " << Num(dead_lettered) << " dead-lettered (" << Percent(dead_lettered, rows_in)
    << ")\n  output: " << Num(bytes_out) << " bytes\n";
  o << "\nStages\n";
  for (const StageCounts& s : stages) {
    o << "  stage " << s.stage << ": " << s.done() << "/" << s.total() << " done";
    for (int k = 0; k < kNumTaskStates; ++k) {
      const auto st = static_cast<TaskState>(k);
      if (s.by_state[k] && !IsDone(st)) o << ", " << s.by_state[k] << " " << TaskStateName(st);
    }
    o << "; " << Num(s.rows_out) << " rows out, " << Num(s.dead_lettered) << " dead letters\n";
  }
  o << "\nGates\n";
  if (gates.empty()) o << "  (no gate evaluated)\n";
  for (const Moment& m : gates) o << "  " << m.time << "  " << m.what << "\n";
  o << "\nRetries\n  " << Num(retried_tasks) << " datasets retried (" << Num(retries) << " retries)\n";
  for (const DatasetLine& d : top_retries) o << "    " << d.dataset << ": " << d.text << "\n";
  o << "\nDead letters (largest first)\n";
  if (top_dead_letters.empty()) o << "  none\n";
  for (const DatasetLine& d : top_dead_letters) o << "  " << d.dataset << ": " << d.text << "\n";
  o << "\nNeeds attention\n";
  if (needs_attention.empty()) o << "  nothing\n";
  for (const DatasetLine& d : needs_attention) o << "  " << d.dataset << ": " << d.text << "\n";
  o << "\nDownstream verification\n";
  if (verifications.empty()) o << "  not run yet (gaggle verify " << run.migration << ")\n";
  for (const VerificationRecord& v : verifications) {
    o << "  " << v.time << "  " << (v.passed ? "passed" : "FAILED") << ": " << v.summary << "\n";
  }
  for (const std::string& p : verification_problems) o << "    " << p << "\n";
  o << "\nCut-over and retention\n";
  if (cut_current + cut_rolled_back + cut_collected == 0) o << "  not cut over\n";
  if (cut_current) o << "  " << Num(cut_current) << " datasets cut over; old data kept until " << retain_until << "\n";
  if (cut_rolled_back) o << "  " << Num(cut_rolled_back) << " cut-overs reverted by rollback\n";
  if (cut_collected) o << "  " << Num(cut_collected) << " old datasets deleted by gc after retention\n";
  o << "\nTimeline\n";
  for (const Moment& m : timeline) o << "  " << m.time << "  " << m.what << "\n";
  return o.str();
}

std::string MigrationReport::ToHtml() const {
  std::ostringstream o;
  auto section = [&](const std::string& title) { o << "<h2>" << Html(title) << "</h2>\n"; };
  auto lines = [&](const std::vector<DatasetLine>& v, const char* none) {
    if (v.empty()) {
      o << "<p class=muted>" << none << "</p>\n";
      return;
    }
    o << "<table><tr><th>dataset</th><th></th></tr>\n";
    for (const DatasetLine& d : v) o << "<tr><td>" << Html(d.dataset) << "</td><td>" << Html(d.text) << "</td></tr>\n";
    o << "</table>\n";
  };
  auto moments = [&](const std::vector<Moment>& v, const char* none) {
    if (v.empty()) {
      o << "<p class=muted>" << none << "</p>\n";
      return;
    }
    o << "<table>\n";
    for (const Moment& m : v) o << "<tr><td class=t>" << Html(m.time) << "</td><td>" << Html(m.what) << "</td></tr>\n";
    o << "</table>\n";
  };
  o << "<!doctype html>\n<html><head><meta charset=utf-8><title>gaggle: " << Html(run.migration)
    << "</title>\n<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:70em}"
       "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left;"
       "vertical-align:top}th{background:#f4f4f4}.t{white-space:nowrap;color:#555}.muted{color:#777}"
       ".ok{color:#070}.bad{color:#b00}.num{text-align:right}</style></head><body>\n";
  const bool good = run.state == RunState::kCompleted && attention == 0;
  o << "<h1>Migration " << Html(run.migration) << " <span class=" << (good ? "ok" : "bad") << ">"
    << RunStateName(run.state) << "</span></h1>\n<p>" << Html(run.state_reason) << "</p>\n";
  o << "<p class=muted>spec " << Html(run.spec_hash.substr(0, 12)) << " &middot; plan "
    << Html(run.plan_hash.substr(0, 12)) << " &middot; created " << Html(run.created_at) << " &middot; last change "
    << Html(run.updated_at) << "</p>\n";
  section("Outcome");
  o << "<table><tr><th>datasets migrated</th><td class=num>" << Num(done) << " of " << Num(tasks)
    << "</td></tr><tr><th>need attention</th><td class=num>" << Num(attention)
    << "</td></tr><tr><th>rows in</th><td class=num>" << Num(rows_in) << "</td></tr><tr><th>rows out</th><td class=num>"
    << Num(rows_out) << "</td></tr><tr><th>filtered by the spec</th><td class=num>" << Num(filtered)
    << "</td></tr><tr><th>dead-lettered</th><td class=num>" << Num(dead_lettered) << " ("
    << Percent(dead_lettered, rows_in) << ")</td></tr><tr><th>retries</th><td class=num>" << Num(retries) << " over "
    << Num(retried_tasks) << " datasets</td></tr></table>\n";
  section("Stages");
  o << "<table><tr><th>stage</th><th>done</th><th>other states</th><th>rows out</th><th>dead letters</th></tr>\n";
  for (const StageCounts& s : stages) {
    std::string other;
    for (int k = 0; k < kNumTaskStates; ++k) {
      const auto st = static_cast<TaskState>(k);
      if (s.by_state[k] && !IsDone(st))
        other += (other.empty() ? "" : ", ") + std::to_string(s.by_state[k]) + " " + TaskStateName(st);
    }
    o << "<tr><td>" << s.stage << "</td><td class=num>" << s.done() << "/" << s.total() << "</td><td>" << Html(other)
      << "</td><td class=num>" << Num(s.rows_out) << "</td><td class=num>" << Num(s.dead_lettered) << "</td></tr>\n";
  }
  o << "</table>\n";
  section("Gates");
  moments(gates, "no gate evaluated");
  section("Needs attention");
  lines(needs_attention, "nothing");
  section("Dead letters");
  lines(top_dead_letters, "none");
  section("Retries");
  lines(top_retries, "none");
  section("Downstream verification");
  if (verifications.empty()) o << "<p class=muted>not run yet</p>\n";
  for (const VerificationRecord& v : verifications) {
    o << "<p><span class=t>" << Html(v.time) << "</span> <b class=" << (v.passed ? "ok>passed" : "bad>FAILED")
      << "</b>: " << Html(v.summary) << "</p>\n";
  }
  if (!verification_problems.empty()) {
    o << "<ul>\n";
    for (const std::string& p : verification_problems) o << "<li>" << Html(p) << "</li>\n";
    o << "</ul>\n";
  }
  section("Cut-over and retention");
  if (cut_current + cut_rolled_back + cut_collected == 0) o << "<p class=muted>not cut over</p>\n";
  if (cut_current)
    o << "<p>" << Num(cut_current) << " datasets cut over; old data kept until " << Html(retain_until) << "</p>\n";
  if (cut_rolled_back) o << "<p>" << Num(cut_rolled_back) << " cut-overs reverted by rollback</p>\n";
  if (cut_collected) o << "<p>" << Num(cut_collected) << " old datasets deleted by gc after retention</p>\n";
  section("Timeline");
  moments(timeline, "no events");
  o << "</body></html>\n";
  return o.str();
}

}  // namespace gaggle
