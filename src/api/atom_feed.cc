// GET /@name.atom: an Atom 1.0 feed (RFC 4287) of a public account's public
// posts, for press monitoring and feed readers.
#include <boost/json/object.hpp>

#include <string>
#include <vector>

#include "api/api.h"
#include "api/media_json.h"
#include "core/text.h"
#include "service/call_to_action.h"
#include "store/timeline_store.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

constexpr int kFeedEntries = 20;
// Unlisted posts are left out, so a page of the account's posts is read with
// room to spare.
constexpr int kFeedCandidates = 40;
constexpr size_t kTitleChars = 80;

// Text for XML content and attribute values: the five special characters
// escaped, and the characters XML 1.0 forbids (C0 controls other than tab
// and line breaks) dropped, so no user text can end the document early.
std::string Xml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
        out.push_back(c);
    }
  }
  return out;
}

std::string JsonText(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

// The entry's title: the caption's first line, cut at a character boundary.
std::string Title(const store::Post& post, const std::string& author) {
  std::string_view text = Trim(post.text);
  text = text.substr(0, text.find('\n'));
  if (text.empty()) return "Photo by @" + author;
  std::string out;
  size_t chars = 0;
  for (size_t at = 0; at < text.size(); ++at) {
    bool starts_char = (static_cast<unsigned char>(text[at]) & 0xc0) != 0x80;
    if (starts_char && ++chars > kTitleChars) {
      out += "…";
      break;
    }
    out.push_back(text[at]);
  }
  return out;
}

}  // namespace

void RegisterAtomFeedRoutes(http::Router& router, ApiContext& ctx) {
  router.Add("GET", "/@:name.atom", Wrap([&ctx](Request& request) -> Result<Response> {
    const service::Settings& settings = ctx.services.settings;
    auto found = ctx.services.store.accounts().FindByUsername(request.path_params[0]);
    if (!found) return std::move(found).error();
    // A locked account's posts are for its approved followers: it has no
    // public feed, and neither has an account awaiting approval.
    if (!*found || !(*found)->approved || (*found)->locked) return Error::NotFound();
    const store::Account& account = **found;

    store::AccountStatusesQuery query;
    query.account_id = account.id;
    query.exclude_replies = true;
    store::PageQuery page;
    page.limit = kFeedCandidates;
    auto ids = ctx.services.store.timelines().AccountStatuses(query, page);
    if (!ids) return std::move(ids).error();
    auto posts = ctx.services.store.statuses().FindByIds(*ids);
    if (!posts) return std::move(posts).error();

    std::string profile = settings.base_url + "/@" + account.username;
    std::string name = account.display_name.empty() ? account.username : account.display_name;
    std::string entries;
    int64_t updated = account.created_at;
    int count = 0;
    for (const store::Post& post : *posts) {
      // Public posts only: no unlisted, followers-only, archived or comments.
      if (post.visibility != store::Visibility::kPublic || post.archived_at || post.is_comment ||
          post.in_reply_to_id || count == kFeedEntries)
        continue;
      ++count;
      int64_t changed = post.edited_at.value_or(post.created_at);
      updated = std::max(updated, changed);
      std::string url = profile + "/" + std::to_string(post.id);
      std::string html = post.content;
      entries += "<entry>\n";
      entries += "<id>" + Xml(settings.base_url + "/users/" + account.username + "/statuses/" +
                              std::to_string(post.id)) + "</id>\n";
      entries += "<title>" + Xml(Title(post, account.username)) + "</title>\n";
      entries += "<published>" + FormatIsoTime(post.created_at) + "</published>\n";
      entries += "<updated>" + FormatIsoTime(changed) + "</updated>\n";
      entries += "<link rel=\"alternate\" type=\"text/html\" href=\"" + Xml(url) + "\"/>\n";
      for (int64_t media_id : post.media_ids) {
        auto media = ctx.services.store.media().FindById(media_id);
        if (!media) return std::move(media).error();
        if (!*media) continue;
        // Everyone may see a public post's photos: plain URLs, as its Status has.
        json::object attachment = MediaAttachmentJson(settings, **media, false);
        std::string src = JsonText(attachment, "url");
        if (src.empty()) continue;
        std::string alt = JsonText(attachment, "description");
        entries += "<link rel=\"enclosure\" type=\"image/jpeg\" href=\"" + Xml(src) + "\"";
        if (!alt.empty()) entries += " title=\"" + Xml(alt) + "\"";
        entries += "/>\n";
        html += "<p><img src=\"" + HtmlEscape(src) + "\" alt=\"" + HtmlEscape(alt) + "\"></p>";
      }
      if (!post.cta_url.empty()) {
        std::string domain = service::CallToActionDomain(post.cta_url);
        entries += "<link rel=\"related\" type=\"text/html\" href=\"" + Xml(post.cta_url) + "\" title=\"" +
                   Xml(post.cta_label) + "\"/>\n";
        html += "<p><a href=\"" + HtmlEscape(post.cta_url) + "\" rel=\"nofollow noopener noreferrer\">" +
                HtmlEscape(post.cta_label) + "</a> (" + HtmlEscape(domain) + ")</p>";
      }
      // The post's HTML as text: escaped once more, so a reader unescapes it
      // to exactly the HTML the API serves.
      entries += "<content type=\"html\">" + Xml(html) + "</content>\n";
      entries += "</entry>\n";
    }

    std::string feed = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    feed += "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
    feed += "<id>" + Xml(profile) + "</id>\n";
    feed += "<title>" + Xml(name) + "</title>\n";
    if (!account.note.empty()) feed += "<subtitle>" + Xml(account.note) + "</subtitle>\n";
    feed += "<updated>" + FormatIsoTime(updated) + "</updated>\n";
    feed += "<link rel=\"self\" type=\"application/atom+xml\" href=\"" + Xml(profile + ".atom") + "\"/>\n";
    feed += "<link rel=\"alternate\" type=\"text/html\" href=\"" + Xml(profile) + "\"/>\n";
    feed += "<author><name>" + Xml(name) + "</name><uri>" + Xml(profile) + "</uri></author>\n";
    feed += "<generator>Vantage</generator>\n";
    feed += entries;
    feed += "</feed>\n";

    Response response;
    response.content_type = "application/atom+xml; charset=utf-8";
    response.AddHeader("Cache-Control", "public, max-age=60");
    response.body = std::move(feed);
    return response;
  }));
}

}  // namespace vantage::api
