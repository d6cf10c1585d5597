#include "service/drafts.h"

#include <algorithm>
#include <ctime>
#include <memory>

#include <spdlog/spdlog.h>

#include "core/id.h"
#include "core/text.h"
#include "service/statuses.h"

namespace vantage::service {

using store::Draft;
using store::DraftChange;
using store::DraftState;

namespace {

// The store holds nothing but the database: one per call costs an allocation.
std::unique_ptr<store::DraftStore> Drafts(ServiceContext& ctx) {
  return store::MakeSqlDraftStore(ctx.store.database());
}

Error InvalidTransition(const Draft& draft, std::string_view what) {
  return Error::Conflict("invalid_transition", "A " + std::string(store::DraftStateName(draft.state)) +
                                                   " draft cannot be " + std::string(what));
}

// Approving, rejecting, releasing and scheduling are of the draft as the
// caller read it: a draft changed since is not what they reviewed.
Status CheckVersion(const Draft& current, int64_t seen_version) {
  if (current.content_version == seen_version) return Ok();
  return Error::Conflict("draft_changed",
                         "The draft changed since you read it (you read version " + std::to_string(seen_version) +
                             ", it is now at version " + std::to_string(current.content_version) +
                             "): read it again before deciding",
                         "version");
}

bool Wrote(const Draft& draft, int64_t account_id) {
  return std::find(draft.editor_ids.begin(), draft.editor_ids.end(), account_id) != draft.editor_ids.end() ||
         draft.author_id == account_id;
}

// The draft's content as posting would check it.
Result<store::DraftContent> CheckContent(const DraftInput& input) {
  NewStatus as_post;
  as_post.text = input.text;
  as_post.media_ids = input.media_ids;
  as_post.visibility = input.visibility;
  as_post.language = input.language;
  as_post.call_to_action = input.call_to_action;
  VANTAGE_TRY(CheckPostContent(as_post));
  store::DraftContent content;
  content.text = input.text;
  content.spoiler_text = input.spoiler_text;
  content.sensitive = input.sensitive;
  content.visibility = input.visibility.value_or("public");
  content.language = input.language;
  content.federate = input.federate.value_or(true);
  if (input.call_to_action && !(input.call_to_action->url.empty() && input.call_to_action->label.empty())) {
    auto link = CheckCallToAction(*input.call_to_action);
    if (!link) return std::move(link).error();
    content.cta_url = link->url;
    content.cta_label = link->label;
  }
  for (const std::string& raw : input.media_ids) content.media_ids.push_back(*ParseId(raw));
  return content;
}

Result<Draft> Transition(ServiceContext& ctx, int64_t organisation_id, int64_t id,
                         const store::DecideDraftChange& decide) {
  return Drafts(ctx)->Change(organisation_id, id, decide, NowUnixMs());
}

// What any edit makes of a draft not yet published, before its content.
DraftChange Edited(const Draft& current, const Actor& actor) {
  DraftChange change = DraftChange::Keep(current);
  change.editor_id = actor.account_id;
  change.content_changed = true;
  change.publish_error.reset();
  switch (current.state) {
    case DraftState::kRejected:
      change.state = DraftState::kDraft;
      break;
    case DraftState::kSubmitted:
    case DraftState::kApproved:
    case DraftState::kScheduled:
      // Approvals were of the draft as it was: it needs them again.
      change.state = DraftState::kSubmitted;
      change.clear_approvals = true;
      break;
    default:
      break;
  }
  return change;
}

std::string ScheduledDetail(int64_t at) { return "{\"scheduled_at\":" + JsonQuote(FormatIsoTime(at)) + "}"; }

}  // namespace

Result<int64_t> ParseScheduledAt(std::string_view text, int64_t now) {
  auto invalid = [] {
    return Error::Invalid("scheduled_at",
                          "scheduled_at must be an ISO 8601 time (such as 2026-11-28T10:00:00Z) between 5 seconds "
                          "and a year from now");
  };
  std::string s(Trim(text));
  int year, month, day, hour, minute, second, consumed = 0;
  if (s.size() < 19 || std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                                   &second, &consumed) != 6 || consumed != 19)
    return invalid();
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return invalid();
  size_t at = 19;
  int64_t millis = 0;
  if (at < s.size() && s[at] == '.') {
    ++at;
    int digits = 0;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
      if (digits < 3) millis = millis * 10 + (s[at] - '0');
      ++digits;
      ++at;
    }
    if (digits == 0) return invalid();
    for (int d = std::min(digits, 3); d < 3; ++d) millis *= 10;
  }
  int64_t offset_s = 0;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
    ++at;
  } else if (at + 6 == s.size() && (s[at] == '+' || s[at] == '-') && s[at + 3] == ':') {
    int oh, om;
    if (std::sscanf(s.c_str() + at + 1, "%2d:%2d", &oh, &om) != 2 || oh > 23 || om > 59) return invalid();
    offset_s = (oh * 3600 + om * 60) * (s[at] == '+' ? 1 : -1);
    at += 6;
  } else {
    return invalid();  // a time without a zone would depend on the server's
  }
  if (at != s.size()) return invalid();
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  time_t seconds = timegm(&tm);
  if (tm.tm_mday != day) return invalid();  // 31 February and its kind
  int64_t ms = (static_cast<int64_t>(seconds) - offset_s) * 1000 + millis;
  if (ms < now + kMinScheduleAheadMs || ms > now + kMaxScheduleAheadMs) return invalid();
  return ms;
}

Result<Draft> CreateDraft(ServiceContext& ctx, int64_t organisation_id, const DraftInput& input,
                          const Actor& actor) {
  auto content = CheckContent(input);
  if (!content) return std::move(content).error();
  Draft draft;
  draft.id = ctx.ids.Next();
  draft.organisation_id = organisation_id;
  draft.author_id = actor.account_id;
  draft.content = std::move(*content);
  if (input.scheduled_at) draft.scheduled_at = *input.scheduled_at;
  draft.created_at = draft.updated_at = NowUnixMs();
  return Drafts(ctx)->Create(draft, ActorEntry(actor, "draft.created"));
}

Result<std::optional<Draft>> FindDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id) {
  return Drafts(ctx)->Find(organisation_id, id);
}

Result<std::vector<Draft>> ListDrafts(ServiceContext& ctx, int64_t organisation_id,
                                      std::optional<DraftState> state, std::optional<int64_t> after_id, int limit) {
  return Drafts(ctx)->List(organisation_id, state, after_id, limit);
}

Result<Draft> EditDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id, const DraftInput& input,
                        const Actor& actor) {
  auto content = CheckContent(input);
  if (!content) return std::move(content).error();
  return Transition(ctx, organisation_id, id, [&](const Draft& current) -> Result<DraftChange> {
    if (current.state == DraftState::kPublished) return InvalidTransition(current, "edited");
    DraftChange change = Edited(current, actor);
    change.content = *content;
    if (!input.federate) change.content->federate = current.content.federate;
    if (input.scheduled_at) change.scheduled_at = *input.scheduled_at;
    change.audit.push_back(ActorEntry(actor, "draft.edited"));
    return change;
  });
}

Status DeleteDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id, const Actor& actor) {
  return Drafts(ctx)->Delete(organisation_id, id, [&](const Draft& current) -> Result<store::AuditEntry> {
    if (current.state == DraftState::kPublished) return InvalidTransition(current, "deleted");
    return ActorEntry(actor, "draft.deleted");
  });
}

Result<Draft> SubmitDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id, const Actor& actor) {
  return Transition(ctx, organisation_id, id, [&](const Draft& current) -> Result<DraftChange> {
    if (current.state != DraftState::kDraft && current.state != DraftState::kRejected)
      return InvalidTransition(current, "submitted");
    DraftChange change = DraftChange::Keep(current);
    change.state = DraftState::kSubmitted;
    change.rejection_reason.reset();
    change.rejected_by.reset();
    change.publish_error.reset();
    change.clear_approvals = true;
    change.audit.push_back(ActorEntry(actor, "draft.submitted"));
    return change;
  });
}

Result<Draft> WithdrawDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id, const Actor& actor) {
  return Transition(ctx, organisation_id, id, [&](const Draft& current) -> Result<DraftChange> {
    if (current.state != DraftState::kSubmitted) return InvalidTransition(current, "withdrawn");
    DraftChange change = DraftChange::Keep(current);
    change.state = DraftState::kDraft;
    change.clear_approvals = true;
    change.audit.push_back(ActorEntry(actor, "draft.withdrawn"));
    return change;
  });
}

Result<Draft> ApproveDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id, int64_t seen_version,
                           std::optional<int64_t> scheduled_at, const Actor& actor) {
  return Transition(ctx, organisation_id, id, [&](const Draft& current) -> Result<DraftChange> {
    if (current.state != DraftState::kSubmitted) return InvalidTransition(current, "approved");
    VANTAGE_TRY(CheckVersion(current, seen_version));
    if (actor.account_id && Wrote(current, *actor.account_id))
      return Error::Forbidden("Nobody may approve a draft they wrote or edited", "own_draft");
    for (const store::DraftApproval& approval : current.approvals)
      if (approval.account_id == actor.account_id)
        return Error::Conflict("already_approved", "You have already approved this draft");
    DraftChange change = DraftChange::Keep(current);
    change.add_approval = actor.account_id;
    int approvals = static_cast<int>(current.approvals.size()) + 1;
    if (scheduled_at) change.scheduled_at = *scheduled_at;
    change.audit.push_back(ActorEntry(actor, "draft.approved", "{\"approvals\":" + std::to_string(approvals) +
                                                              ",\"approvals_required\":" +
                                                              std::to_string(current.approvals_required) + "}"));
    if (approvals >= current.approvals_required) {
      if (scheduled_at) {
        change.state = DraftState::kScheduled;
        change.audit.push_back(ActorEntry(actor, "draft.scheduled", ScheduledDetail(*scheduled_at)));
      } else {
        change.state = DraftState::kApproved;
      }
    }
    return change;
  });
}

Result<Draft> RejectDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id, int64_t seen_version,
                          const std::string& reason, const Actor& actor) {
  return Transition(ctx, organisation_id, id, [&](const Draft& current) -> Result<DraftChange> {
    if (current.state != DraftState::kSubmitted) return InvalidTransition(current, "rejected");
    VANTAGE_TRY(CheckVersion(current, seen_version));
    if (actor.account_id && current.author_id == actor.account_id)
      return Error::Forbidden("Nobody may reject a draft they wrote (withdraw it instead)", "own_draft");
    DraftChange change = DraftChange::Keep(current);
    change.state = DraftState::kRejected;
    change.rejection_reason = reason;
    change.rejected_by = actor.account_id;
    change.clear_approvals = true;
    change.audit.push_back(ActorEntry(actor, "draft.rejected", "{\"reason\":" + JsonQuote(reason) + "}"));
    return change;
  });
}

Result<Draft> ScheduleDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id, int64_t seen_version,
                            int64_t scheduled_at, const Actor& actor) {
  return Transition(ctx, organisation_id, id, [&](const Draft& current) -> Result<DraftChange> {
    if (current.state != DraftState::kApproved) return InvalidTransition(current, "scheduled");
    VANTAGE_TRY(CheckVersion(current, seen_version));
    DraftChange change = DraftChange::Keep(current);
    change.state = DraftState::kScheduled;
    change.scheduled_at = scheduled_at;
    change.audit.push_back(ActorEntry(actor, "draft.scheduled", ScheduledDetail(scheduled_at)));
    return change;
  });
}

Result<Draft> UnscheduleDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id,
                              std::optional<int64_t> seen_version, const Actor& actor) {
  return Transition(ctx, organisation_id, id, [&](const Draft& current) -> Result<DraftChange> {
    if (current.state != DraftState::kScheduled) return InvalidTransition(current, "unscheduled");
    if (seen_version) VANTAGE_TRY(CheckVersion(current, *seen_version));
    DraftChange change = DraftChange::Keep(current);
    change.state = DraftState::kApproved;
    change.scheduled_at.reset();
    change.audit.push_back(ActorEntry(actor, "draft.unscheduled"));
    return change;
  });
}

Result<Draft> PublishDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id,
                           const std::optional<Actor>& actor, std::optional<int64_t> seen_version) {
  auto drafts = Drafts(ctx);
  auto found = drafts->Find(organisation_id, id);
  if (!found) return std::move(found).error();
  if (!*found) return Error::NotFound();
  const Draft& draft = **found;
  // Staff publish approved drafts; the scheduler, scheduled ones.
  DraftState from = actor ? DraftState::kApproved : DraftState::kScheduled;
  if (draft.state != from) return InvalidTransition(draft, actor ? "published now" : "released");
  // The post holds this content: the release marks the draft published only
  // at the version read here (MarkDraftPublishedOn), so a change after this
  // check rolls the post back.
  if (seen_version) VANTAGE_TRY(CheckVersion(draft, *seen_version));
  auto organisation = ctx.store.accounts().FindById(organisation_id);
  if (!organisation) return std::move(organisation).error();
  if (!*organisation) return Error::NotFound();

  NewStatus post;
  post.text = draft.content.text;
  for (int64_t media_id : draft.content.media_ids) post.media_ids.push_back(std::to_string(media_id));
  post.visibility = draft.content.visibility;
  post.sensitive = draft.content.sensitive;
  post.spoiler_text = draft.content.spoiler_text;
  post.language = draft.content.language;
  if (!draft.content.cta_url.empty()) post.call_to_action = CallToAction{draft.content.cta_url, draft.content.cta_label};
  post.federate = draft.content.federate;
  post.draft_id = id;
  // No application: the staff member's client could identify them.
  post.in_transaction = [&](store::Connection& conn, const store::Post& written) -> Status {
    int64_t now = NowUnixMs();
    auto marked = store::MarkDraftPublishedOn(conn, id, from, draft.version, written.id, now);
    if (!marked) return std::move(marked).error();
    if (!*marked) return InvalidTransition(draft, "published twice");
    store::AuditEntry entry =
        ActorEntry(actor, "draft.published", "{\"status_id\":\"" + std::to_string(written.id) + "\"}");
    entry.organisation_id = organisation_id;
    entry.target_type = "draft";
    entry.target_id = id;
    auto appended = store::AppendAuditEntryOn(conn, std::move(entry));
    if (!appended) return std::move(appended).error();
    return Ok();
  };
  auto created = PublishStatus(ctx, **organisation, post);
  if (!created) {
    Error error = std::move(created).error();
    // Another request or server may have published it meanwhile (its post
    // took the media first): then say so rather than blame the content.
    auto now_found = drafts->Find(organisation_id, id);
    if (now_found && *now_found && (*now_found)->state != from)
      return InvalidTransition(**now_found, "published now");
    return error;
  }
  auto published = drafts->Find(organisation_id, id);
  if (!published) return std::move(published).error();
  if (!*published) return Error::NotFound();
  return std::move(**published);
}

Result<ReleaseRound> PublishDueDrafts(ServiceContext& ctx, int64_t now) {
  ReleaseRound round;
  auto due = Drafts(ctx)->Due(now, 100);
  if (!due) return std::move(due).error();
  for (const auto& [organisation_id, id] : *due) {
    auto published = PublishDraft(ctx, organisation_id, id, std::nullopt, std::nullopt);
    if (published) {
      ++round.published;
      continue;
    }
    const Error& error = published.error();
    if (error.code == "invalid_transition" || error.code == "not_found") {
      ++round.skipped;  // changed, published or deleted meanwhile
      continue;
    }
    if (error.kind != ErrorKind::kInvalid && error.kind != ErrorKind::kNotFound) {
      // A database error with this draft must not hold back the drafts due
      // after it: the next round tries it again.
      spdlog::warn("scheduled draft {} not published this round: {}", id, error.message);
      ++round.skipped;
      continue;
    }
    // The post was refused for what it holds: retrying would fail the same
    // way every second. Staff see why and fix it.
    std::string reason = error.message;
    auto failed = Transition(ctx, organisation_id, id, [&](const Draft& current) -> Result<DraftChange> {
      if (current.state != DraftState::kScheduled) return InvalidTransition(current, "failed");
      DraftChange change = DraftChange::Keep(current);
      change.state = DraftState::kSubmitted;
      change.clear_approvals = true;
      change.publish_error = reason;
      change.audit.push_back(
          ActorEntry(std::nullopt, "draft.publish_failed", "{\"reason\":" + JsonQuote(reason) + "}"));
      return change;
    });
    if (failed) {
      ++round.failed;
      spdlog::warn("scheduled draft {} could not be published: {}", id, reason);
    } else {
      ++round.skipped;  // changed meanwhile, or the database failed: the next round looks again
      if (failed.error().code != "invalid_transition" && failed.error().code != "not_found")
        spdlog::warn("scheduled draft {} could not be marked failed: {}", id, failed.error().message);
    }
  }
  return round;
}

Result<store::MediaAttachment> UpdateOrganisationMedia(ServiceContext& ctx, int64_t organisation_id,
                                                       int64_t media_id, const store::MediaPatch& patch,
                                                       const Actor& actor) {
  if (patch.focus_x.has_value() != patch.focus_y.has_value())
    return Error::Internal("focus_x and focus_y must be set together");
  // Twice at most: the photo may leave its draft between the look-up and
  // the lock (an edit or deletion of the draft), and is then looked up again.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto found = ctx.store.media().FindById(media_id);
    if (!found) return std::move(found).error();
    if (!*found || (*found)->account_id != organisation_id) return Error::NotFound();
    const store::MediaAttachment& media = **found;
    if (media.status_id)
      return Error::Forbidden("The photos of an organisation's published post change only through approval: "
                              "draft the corrected post", "approval_required");
    bool changes = (patch.description && *patch.description != media.description) ||
                   (patch.focus_x && (patch.focus_x != media.focus_x || patch.focus_y != media.focus_y));
    auto holder = Drafts(ctx)->FindByMedia(media_id);
    if (!holder) return std::move(holder).error();
    // A draft's photo is part of the draft: only those who may edit drafts
    // describe it (a moderator acting as the organisation may not).
    if (*holder && (*holder)->first == organisation_id) {
      if (!actor.account_id) return Error::Internal("A draft's photo is described by a staff member");
      auto allowed = AuthorizeStaff(ctx, organisation_id, *actor.account_id, StaffAction::kWriteDrafts);
      if (!allowed) return std::move(allowed).error();
    }
    if (!*holder || !changes || (*holder)->first != organisation_id)
      return ctx.store.media().Update(media_id, patch, NowUnixMs());
    std::string what = patch.description && *patch.description != media.description ? "description" : "focus";
    bool moved = false;
    auto changed = Transition(ctx, organisation_id, (*holder)->second, [&](const Draft& current) -> Result<DraftChange> {
      if (std::find(current.content.media_ids.begin(), current.content.media_ids.end(), media_id) ==
          current.content.media_ids.end()) {
        moved = true;
        return Error::Conflict("media_moved", "The photo left the draft");
      }
      if (current.state == DraftState::kPublished) return InvalidTransition(current, "edited");
      DraftChange change = Edited(current, actor);
      change.audit.push_back(ActorEntry(actor, "draft.edited",
                                   "{\"media_id\":\"" + std::to_string(media_id) + "\",\"changed\":\"" + what +
                                       "\",\"reason\":" + JsonQuote("the photo's " + what + " changed") + "}"));
      change.in_transaction = [&](store::Connection& conn) -> Status {
        return store::UpdateDraftMediaOn(conn, media_id, patch.description, patch.focus_x, patch.focus_y,
                                         NowUnixMs());
      };
      return change;
    });
    if (!changed) {
      if (moved || changed.error().kind == ErrorKind::kNotFound) continue;
      return std::move(changed).error();
    }
    auto updated = ctx.store.media().FindById(media_id);
    if (!updated) return std::move(updated).error();
    if (!*updated) return Error::NotFound();
    return std::move(**updated);
  }
  return Error::Conflict("conflict", "The photo changed drafts while being described; try again");
}

Result<store::MediaAttachment> ReadOrganisationMedia(ServiceContext& ctx, int64_t organisation_id, int64_t media_id,
                                                     int64_t staff_id) {
  auto found = ctx.store.media().FindById(media_id);
  if (!found) return std::move(found).error();
  if (!*found || (*found)->account_id != organisation_id) return Error::NotFound();
  auto holder = Drafts(ctx)->FindByMedia(media_id);
  if (!holder) return std::move(holder).error();
  if (*holder && (*holder)->first == organisation_id) {
    auto allowed = AuthorizeStaff(ctx, organisation_id, staff_id, StaffAction::kReadDrafts);
    if (!allowed) return std::move(allowed).error();
  }
  return std::move(**found);
}

Status SetApprovalsRequired(ServiceContext& ctx, int64_t organisation_id, int approvals, const Actor& actor) {
  if (approvals < 1 || approvals > kMaxApprovalsRequired)
    return Error::Invalid("approvals_required", "approvals_required must be 1 to 5");
  return Drafts(ctx)->SetApprovalsRequired(
      organisation_id, approvals,
      ActorEntry(actor, "settings.changed", "{\"approvals_required\":" + std::to_string(approvals) + "}"));
}

}  // namespace vantage::service
