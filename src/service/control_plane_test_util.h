// Shared by the control-plane service tests: the service test fixture plus the
// control store (tokens, approval links, task pages) on the same state file.
#pragma once

#include "service/service_test_util.h"
#include "store/control_store.h"

namespace gaggle::service_test {

class ControlPlaneTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    auto c = OpenControlStore((dir_ / "gaggle.db").string());
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    control_ = std::move(c).value();
    ctx_.control = control_.get();
  }
  void TearDown() override {
    control_.reset();
    ServiceTest::TearDown();
  }
  int64_t LastSeq() {
    auto s = control_->LastEventSeq();
    EXPECT_TRUE(s.ok());
    return s.ok() ? *s : -1;
  }
  Event LastEvent() {
    EventFilter f;
    f.after_seq = LastSeq() - 1;
    auto e = store_->ListEvents(f);
    EXPECT_TRUE(e.ok() && !e->empty());
    return e.ok() && !e->empty() ? e->back() : Event{};
  }
  std::unique_ptr<ControlStore> control_;
};

}  // namespace gaggle::service_test
