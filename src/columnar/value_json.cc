#include "columnar/value_json.h"

#include <charconv>
#include <cmath>

#include "columnar/value_format.h"
#include "common/utf8.h"

namespace gaggle {
namespace {

std::string WithPointZero(std::string text) {
  for (char c : text) {
    if ((c < '0' || c > '9') && c != '-') return text;
  }
  text.append(".0");
  return text;
}

void AppendFloating(double v, const std::string& text, std::string* out) {
  if (std::isfinite(v)) {
    out->append(text);
  } else {
    out->push_back('"');
    out->append(text);
    out->push_back('"');
  }
}

void AppendQuotedAscii(const std::string& text, std::string* out) {
  out->push_back('"');
  out->append(text);
  out->push_back('"');
}

}  // namespace

bool AppendJsonQuoted(std::string_view text, std::string* out) {
  static const char* kHex = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;          // start of the pending run of bytes that need no escape
  unsigned char high = 0;  // any byte >= 0x80: only then is the text checked as UTF-8
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    high |= c;
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(text.data() + run, i - run);
    run = i + 1;
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else {
      const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out->append(esc, sizeof(esc));
    }
  }
  out->append(text.data() + run, text.size() - run);
  out->push_back('"');
  return (high & 0x80) == 0 || IsValidUtf8(text);
}

std::string FormatDoubleJson(double v) { return WithPointZero(FormatDouble(v)); }
std::string FormatFloatJson(float v) { return WithPointZero(FormatFloat(v)); }

bool AppendValueJson(const Column& c, size_t i, std::string* out) {
  if (c.IsNull(i)) {
    out->append("null");
    return true;
  }
  char buf[32];
  switch (c.type().id) {
    case TypeId::kBool: out->append(c.Get<uint8_t>(i) ? "true" : "false"); return true;
    case TypeId::kInt32: {
      auto r = std::to_chars(buf, buf + sizeof(buf), c.Get<int32_t>(i));
      out->append(buf, static_cast<size_t>(r.ptr - buf));
      return true;
    }
    case TypeId::kInt64: {
      auto r = std::to_chars(buf, buf + sizeof(buf), c.Get<int64_t>(i));
      out->append(buf, static_cast<size_t>(r.ptr - buf));
      return true;
    }
    case TypeId::kFloat: AppendFloating(c.Get<float>(i), FormatFloatJson(c.Get<float>(i)), out); return true;
    case TypeId::kDouble: AppendFloating(c.Get<double>(i), FormatDoubleJson(c.Get<double>(i)), out); return true;
    case TypeId::kString: return AppendJsonQuoted(c.GetString(i), out);
    case TypeId::kBinary: AppendQuotedAscii(HexEncode(c.GetString(i)), out); return true;
    case TypeId::kDate: AppendQuotedAscii(FormatDate(c.Get<int32_t>(i)), out); return true;
    case TypeId::kTimestamp:
    case TypeId::kDecimal: AppendQuotedAscii(c.ValueToString(i), out); return true;
    case TypeId::kStruct: {
      bool ok = true;
      out->push_back('{');
      for (size_t f = 0; f < c.num_children(); ++f) {
        if (f) out->push_back(',');
        ok &= AppendJsonQuoted(c.type().child(f).name, out);
        out->push_back(':');
        ok &= AppendValueJson(c.child(f), i, out);
      }
      out->push_back('}');
      return ok;
    }
    case TypeId::kList: {
      bool ok = true;
      out->push_back('[');
      for (uint64_t k = c.ListBegin(i); k < c.ListEnd(i); ++k) {
        if (k != c.ListBegin(i)) out->push_back(',');
        ok &= AppendValueJson(c.child(0), k, out);
      }
      out->push_back(']');
      return ok;
    }
    case TypeId::kMap: {
      bool ok = true;
      const Column& keys = c.child(0).child(0);
      const Column& values = c.child(0).child(1);
      out->push_back('{');
      for (uint64_t k = c.ListBegin(i); k < c.ListEnd(i); ++k) {
        if (k != c.ListBegin(i)) out->push_back(',');
        if (keys.type().id == TypeId::kString && !keys.IsNull(k)) {
          ok &= AppendJsonQuoted(keys.GetString(k), out);
        } else {
          ok &= AppendJsonQuoted(keys.ValueToString(k), out);
        }
        out->push_back(':');
        ok &= AppendValueJson(values, k, out);
      }
      out->push_back('}');
      return ok;
    }
  }
  return true;
}

}  // namespace gaggle
