// pugixml readers and writers for S3's XML documents.
#include "storage/s3_xml.h"

#include <charconv>
#include <pugixml.hpp>
#include <sstream>

#include "storage/sigv4_signer.h"

namespace gaggle {
namespace {

Status Load(pugi::xml_document* doc, std::string_view body, const char* what) {
  pugi::xml_parse_result r = doc->load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!r) {
    return Status::Corruption(std::string("S3 ") + what + " response is not XML: " + r.description() + " at byte " +
                              std::to_string(r.offset));
  }
  return Status::OK();
}

Result<pugi::xml_node> Root(pugi::xml_document* doc, std::string_view body, const char* what, const char* root) {
  GAGGLE_RETURN_IF_ERROR(Load(doc, body, what));
  pugi::xml_node node = doc->child(root);
  if (!node) {
    std::string got = doc->first_child() ? doc->first_child().name() : "nothing";
    return Status::Corruption(std::string("S3 ") + what + " response: expected <" + root + ">, got <" + got + ">");
  }
  return node;
}

std::string Text(pugi::xml_node parent, const char* name) { return parent.child(name).text().as_string(); }

Result<uint64_t> Number(pugi::xml_node parent, const char* name, const char* what) {
  std::string s = Text(parent, name);
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    return Status::Corruption(std::string("S3 ") + what + " response: <" + name + "> is '" + s + "', not a size");
  }
  return v;
}

bool Truthy(pugi::xml_node parent, const char* name) { return Text(parent, name) == "true"; }

}  // namespace

std::string UnquoteEtag(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  // Some S3-compatible stores send the HTML-escaped form.
  if (etag.starts_with("&quot;") && etag.ends_with("&quot;") && etag.size() >= 12)
    etag = etag.substr(6, etag.size() - 12);
  return std::string(etag);
}

bool ParseS3Error(std::string_view body, S3ErrorDocument* out) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return false;
  pugi::xml_node e = doc.child("Error");
  if (!e) return false;
  out->code = Text(e, "Code");
  out->message = Text(e, "Message");
  out->request_id = Text(e, "RequestId");
  return true;
}

Result<S3ListPage> ParseListObjectsV2(std::string_view body) {
  pugi::xml_document doc;
  GAGGLE_ASSIGN_OR_RETURN(pugi::xml_node root, Root(&doc, body, "ListObjectsV2", "ListBucketResult"));
  // With encoding-type=url the server percent-encodes keys (XML 1.0 cannot carry every byte).
  bool url_encoded = Text(root, "EncodingType") == "url";
  auto decode = [&](std::string s) { return url_encoded ? UriDecode(s) : s; };
  S3ListPage page;
  page.truncated = Truthy(root, "IsTruncated");
  page.next_continuation_token = Text(root, "NextContinuationToken");
  for (pugi::xml_node c : root.children("Contents")) {
    S3ListedObject o;
    o.key = decode(Text(c, "Key"));
    GAGGLE_ASSIGN_OR_RETURN(o.size, Number(c, "Size", "ListObjectsV2"));
    o.etag = UnquoteEtag(Text(c, "ETag"));
    o.last_modified = Text(c, "LastModified");
    if (o.key.empty()) return Status::Corruption("S3 ListObjectsV2 response: an object without a <Key>");
    page.objects.push_back(std::move(o));
  }
  for (pugi::xml_node p : root.children("CommonPrefixes")) page.common_prefixes.push_back(decode(Text(p, "Prefix")));
  if (page.truncated && page.next_continuation_token.empty()) {
    return Status::Corruption("S3 ListObjectsV2 response: truncated but without a <NextContinuationToken>");
  }
  return page;
}

Result<std::string> ParseInitiateMultipartUpload(std::string_view body) {
  pugi::xml_document doc;
  GAGGLE_ASSIGN_OR_RETURN(pugi::xml_node root,
                          Root(&doc, body, "CreateMultipartUpload", "InitiateMultipartUploadResult"));
  std::string id = Text(root, "UploadId");
  if (id.empty()) return Status::Corruption("S3 CreateMultipartUpload response without an <UploadId>");
  return id;
}

Result<std::string> ParseCompleteMultipartUpload(std::string_view body) {
  pugi::xml_document doc;
  GAGGLE_RETURN_IF_ERROR(Load(&doc, body, "CompleteMultipartUpload"));
  // AWS answers <CompleteMultipartUploadResult>; moto <CompleteMultipartUploadResponse>.
  pugi::xml_node root = doc.child("CompleteMultipartUploadResult");
  if (!root) root = doc.child("CompleteMultipartUploadResponse");
  if (!root) return Status::Corruption("S3 CompleteMultipartUpload response: expected <CompleteMultipartUploadResult>");
  return UnquoteEtag(Text(root, "ETag"));
}

Result<std::string> ParseCopyObjectResult(std::string_view body) {
  pugi::xml_document doc;
  GAGGLE_ASSIGN_OR_RETURN(pugi::xml_node root, Root(&doc, body, "CopyObject", "CopyObjectResult"));
  std::string etag = UnquoteEtag(Text(root, "ETag"));
  if (etag.empty()) return Status::Corruption("S3 CopyObject response without an <ETag>");
  return etag;
}

Result<std::string> ParseCopyPartResult(std::string_view body) {
  pugi::xml_document doc;
  GAGGLE_ASSIGN_OR_RETURN(pugi::xml_node root, Root(&doc, body, "UploadPartCopy", "CopyPartResult"));
  std::string etag = UnquoteEtag(Text(root, "ETag"));
  if (etag.empty()) return Status::Corruption("S3 UploadPartCopy response without an <ETag>");
  return etag;
}

Result<S3DeleteOutcome> ParseDeleteResult(std::string_view body) {
  pugi::xml_document doc;
  GAGGLE_ASSIGN_OR_RETURN(pugi::xml_node root, Root(&doc, body, "DeleteObjects", "DeleteResult"));
  S3DeleteOutcome out;
  for (pugi::xml_node d : root.children("Deleted")) out.deleted.push_back(Text(d, "Key"));
  for (pugi::xml_node e : root.children("Error")) {
    S3ErrorDocument err{Text(e, "Code"), Text(e, "Message"), ""};
    out.errors.emplace_back(Text(e, "Key"), std::move(err));
  }
  return out;
}

Result<S3UploadListing> ParseListMultipartUploads(std::string_view body) {
  pugi::xml_document doc;
  GAGGLE_ASSIGN_OR_RETURN(pugi::xml_node root, Root(&doc, body, "ListMultipartUploads", "ListMultipartUploadsResult"));
  bool url_encoded = Text(root, "EncodingType") == "url";
  S3UploadListing out;
  out.truncated = Truthy(root, "IsTruncated");
  out.next_key_marker = Text(root, "NextKeyMarker");
  out.next_upload_id_marker = Text(root, "NextUploadIdMarker");
  for (pugi::xml_node u : root.children("Upload")) {
    S3UploadListing::Upload up{Text(u, "Key"), Text(u, "UploadId"), Text(u, "Initiated")};
    if (url_encoded) up.key = UriDecode(up.key);
    if (up.key.empty() || up.upload_id.empty()) {
      return Status::Corruption("S3 ListMultipartUploads response: an <Upload> without <Key> or <UploadId>");
    }
    out.uploads.push_back(std::move(up));
  }
  if (out.truncated && out.next_key_marker.empty() && out.next_upload_id_marker.empty()) {
    return Status::Corruption("S3 ListMultipartUploads response: truncated but without a next marker");
  }
  return out;
}

namespace {
std::string Serialize(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw | pugi::format_no_declaration);
  return out.str();
}
}  // namespace

std::string BuildCompleteMultipartUpload(const std::vector<S3CompletedPart>& parts) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("CompleteMultipartUpload");
  root.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
  for (const S3CompletedPart& p : parts) {
    pugi::xml_node part = root.append_child("Part");
    part.append_child("PartNumber").text() = p.part_number;
    part.append_child("ETag").text() = p.etag.c_str();
  }
  return Serialize(doc);
}

std::string BuildDeleteObjects(const std::vector<std::string>& keys, bool quiet) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("Delete");
  root.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
  if (quiet) root.append_child("Quiet").text() = "true";
  for (const std::string& k : keys) root.append_child("Object").append_child("Key").text() = k.c_str();
  return Serialize(doc);
}

}  // namespace gaggle
