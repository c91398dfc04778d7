#include "formats/avro/avro_block_validator.h"

#include <cstdint>
#include <string>

#include "formats/avro/avro_container.h"

namespace gaggle::avro {
namespace {

// An array or map block may claim at most this many items (each item of a zero-byte type
// decodes from no bytes, so the block's size cannot bound them).
constexpr uint64_t kMaxItemsPerBlock = uint64_t{1} << 24;

class Walker {
 public:
  explicit Walker(std::string_view data) : p_(reinterpret_cast<const uint8_t*>(data.data())), n_(data.size()) {
    string_key_.kind = Kind::kString;
  }

  size_t pos() const { return pos_; }
  size_t size() const { return n_; }
  const std::string& error() const { return error_; }
  size_t error_pos() const { return error_pos_; }

  bool Value(const PlanNode& node) {
    switch (node.type) {
      case PlanNode::Type::kRecord:
        for (const PlanNode& child : node.children) {
          if (!Value(child)) return false;
        }
        return true;
      case PlanNode::Type::kUnion: {
        int64_t branch = 0;
        if (!Long(&branch, "union branch")) return false;
        if (branch < 0 || branch >= node.branch_count) {
          return Fail("union branch " + std::to_string(branch) + " is out of range (the union has " +
                      std::to_string(node.branch_count) + ")");
        }
        if (branch == node.null_branch) return true;
        return Value(node.children[0]);
      }
      case PlanNode::Type::kTaggedUnion: {
        int64_t branch = 0;
        if (!Long(&branch, "union branch")) return false;
        if (branch < 0 || branch >= node.branch_count) {
          return Fail("union branch " + std::to_string(branch) + " is out of range (the union has " +
                      std::to_string(node.branch_count) + ")");
        }
        const int child = node.branch_child[static_cast<size_t>(branch)];
        return child < 0 || Value(node.children[static_cast<size_t>(child)]);
      }
      case PlanNode::Type::kArray:
      case PlanNode::Type::kMap: return Blocks(node);
      case PlanNode::Type::kLeaf: return Leaf(node);
    }
    return Fail("unknown plan node");
  }

 private:
  // Arrays and maps: blocks of items, each a count (negative: followed by the block's byte
  // size), ended by a zero count. Every item must be present: a count larger than the bytes
  // left could hold is refused before any item is read.
  bool Blocks(const PlanNode& node) {
    const bool map = node.type == PlanNode::Type::kMap;
    const char* what = map ? "map" : "array";
    while (true) {
      int64_t count = 0;
      if (!Long(&count, what)) return false;
      if (count == 0) return true;
      if (count < 0) {
        if (count == INT64_MIN) return Fail(std::string(what) + " block count is out of range");
        count = -count;
        int64_t bytes = 0;
        if (!Long(&bytes, what)) return false;
        if (bytes < 0) return Fail(std::string(what) + " block size " + std::to_string(bytes) + " is negative");
      }
      // Every item takes at least one byte, except items of zero-size types (null, empty
      // records): those are bounded by the item limit below.
      if (static_cast<uint64_t>(count) > kMaxItemsPerBlock) {
        return Fail(std::string(what) + " block of " + std::to_string(count) + " items (more than " +
                    std::to_string(kMaxItemsPerBlock) + ")");
      }
      for (int64_t i = 0; i < count; ++i) {
        if (map && !Leaf(string_key_)) return false;
        if (!Value(node.children[0])) return false;
      }
    }
  }

  bool Leaf(const PlanNode& node) {
    int64_t v = 0;
    switch (node.kind) {
      case Kind::kBoolean: return Skip(1, "boolean");
      case Kind::kInt:
        if (!Long(&v, "int")) return false;
        if (v < INT32_MIN || v > INT32_MAX) return Fail("int value " + std::to_string(v) + " is out of range");
        return true;
      case Kind::kLong: return Long(&v, "long");
      case Kind::kFloat: return Skip(4, "float");
      case Kind::kDouble: return Skip(8, "double");
      case Kind::kBytes:
      case Kind::kString: {
        const char* what = node.kind == Kind::kString ? "string" : "bytes";
        if (!Long(&v, what)) return false;
        if (v < 0) return Fail(std::string(what) + " length " + std::to_string(v) + " is negative");
        if (static_cast<uint64_t>(v) > n_ - pos_) {
          return Fail(std::string(what) + " length " + std::to_string(v) + " runs past the end of the block");
        }
        pos_ += static_cast<size_t>(v);
        return true;
      }
      case Kind::kFixed: return Skip(static_cast<uint64_t>(node.fixed_size), "fixed");
      case Kind::kEnum:
        if (!Long(&v, "enum")) return false;
        if (v < 0 || static_cast<uint64_t>(v) >= node.symbols.size()) {
          return Fail("enum index " + std::to_string(v) + " is out of range (" + std::to_string(node.symbols.size()) +
                      " symbols)");
        }
        return true;
      default: return Fail(std::string("unexpected ") + KindName(node.kind) + " value");
    }
  }

  bool Long(int64_t* out, const char* what) {
    if (pos_ < n_ && p_[pos_] < 0x80) {  // one-byte varints are the common case
      uint64_t v = p_[pos_++];
      *out = static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
      return true;
    }
    size_t at = pos_;
    if (DecodeVarLong(p_, n_, &pos_, out)) return true;
    pos_ = at;
    return Fail(std::string("malformed or truncated ") + what + " varint");
  }

  bool Skip(uint64_t bytes, const char* what) {
    if (bytes > n_ - pos_) return Fail(std::string(what) + " value runs past the end of the block");
    pos_ += static_cast<size_t>(bytes);
    return true;
  }

  bool Fail(std::string what) {
    error_ = std::move(what);
    error_pos_ = pos_;
    return false;
  }

  PlanNode string_key_;  // map keys are strings
  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
  std::string error_;
  size_t error_pos_ = 0;
};

}  // namespace

Status ValidateBlock(const PlanNode& root, std::string_view data, int64_t count) {
  Walker w(data);
  for (int64_t r = 0; r < count; ++r) {
    if (!w.Value(root)) {
      return Status::Corruption("record " + std::to_string(r) + " of " + std::to_string(count) + ", byte " +
                                std::to_string(w.error_pos()) + " of " + std::to_string(data.size()) +
                                " decoded: " + w.error());
    }
  }
  if (w.pos() != w.size()) {
    return Status::Corruption("block holds " + std::to_string(w.size() - w.pos()) + " bytes after its " +
                              std::to_string(count) + " records (object count and data disagree)");
  }
  return Status::OK();
}

}  // namespace gaggle::avro
