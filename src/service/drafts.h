// The approval workflow of organisations (docs/organisations.md, "Two-person
// approval and scheduled release"): drafts written by editors, approved by
// approvers who did not write them, published now or at a scheduled time as
// the organisation's own post.
//
// States: draft -> submitted -> approved -> published, with scheduled
// between approved and published when a time is set, rejected from
// submitted, and edits sending submitted, approved and scheduled drafts back
// to submitted without their approvals. A transition not allowed from the
// current state is Conflict "invalid_transition" naming the state. Every
// transition is audited in its own transaction.
//
// Who may call what (roles) is checked by the caller with AuthorizeStaff
// (service/organisations.h); the rules here are those of the workflow
// itself (nobody approves a draft they wrote or edited). All functions
// block (database): call them from a pool thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "service/call_to_action.h"
#include "service/context.h"
#include "service/organisations.h"
#include "store/draft_store.h"

namespace vantage::service {

inline constexpr int kMaxApprovalsRequired = 5;
inline constexpr size_t kMaxRejectionReasonChars = 500;
// How far ahead a release may be scheduled.
inline constexpr int64_t kMinScheduleAheadMs = 5'000;
inline constexpr int64_t kMaxScheduleAheadMs = 366LL * 24 * 3600 * 1000;

// What an editor writes: the fields of POST /api/v1/statuses.
struct DraftInput {
  std::string text;
  std::vector<std::string> media_ids;  // as sent
  std::optional<std::string> visibility;
  bool sensitive = false;
  std::string spoiler_text;
  std::string language;
  std::optional<CallToAction> call_to_action;
  // Absent: on create none, on edit unchanged; nullopt inside: cleared.
  std::optional<std::optional<int64_t>> scheduled_at;
  // vantage_federate; absent: on create true, on edit unchanged.
  std::optional<bool> federate;
};

// An ISO 8601 time (2026-11-28T10:00:00Z, fractions and offsets allowed) as
// milliseconds since the Unix epoch, required to lie 5 s to a year after
// `now`: Invalid "scheduled_at" otherwise.
Result<int64_t> ParseScheduledAt(std::string_view text, int64_t now);

Result<store::Draft> CreateDraft(ServiceContext& ctx, int64_t organisation_id, const DraftInput& input,
                                 const Actor& actor);
Result<std::optional<store::Draft>> FindDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id);
Result<std::vector<store::Draft>> ListDrafts(ServiceContext& ctx, int64_t organisation_id,
                                             std::optional<store::DraftState> state, std::optional<int64_t> after_id,
                                             int limit);
// Replaces the content; a rejected draft becomes a draft again, a submitted,
// approved or scheduled one goes back to submitted without its approvals.
Result<store::Draft> EditDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id, const DraftInput& input,
                               const Actor& actor);
// Deletes any draft but a published one; its media become the
// organisation's unattached uploads again.
Status DeleteDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id, const Actor& actor);

Result<store::Draft> SubmitDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id, const Actor& actor);
Result<store::Draft> WithdrawDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id, const Actor& actor);
// Approving, rejecting, publishing and scheduling take the draft's
// content_version as the caller read it (`seen_version`): Conflict
// "draft_changed" (field "version") when the draft has changed since, so a
// decision is always about the content the decider saw.
//
// Forbidden "own_draft" for its author and anyone who edited it, Conflict
// "already_approved" for a second approval by the same person. The approval
// that reaches the organisation's approvals_required makes it approved, or
// scheduled with `scheduled_at`; an earlier one keeps `scheduled_at` as the
// draft's requested time.
Result<store::Draft> ApproveDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id, int64_t seen_version,
                                  std::optional<int64_t> scheduled_at, const Actor& actor);
// Forbidden "own_draft" for its author.
Result<store::Draft> RejectDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id, int64_t seen_version,
                                 const std::string& reason, const Actor& actor);
Result<store::Draft> ScheduleDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id, int64_t seen_version,
                                   int64_t scheduled_at, const Actor& actor);
// Unscheduling takes the version when given (a client that reschedules or
// publishes after it names the version it will send next, so that a
// changed draft is refused before its time is taken away).
Result<store::Draft> UnscheduleDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id,
                                     std::optional<int64_t> seen_version, const Actor& actor);

// Publishes an approved draft now (`actor` a staff member, with the
// `seen_version` they read) or a scheduled one (`actor` and `seen_version`
// none: the scheduler): the organisation's post is created as
// any post is (PublishStatus: validation, hashtags, mentions, fan-out,
// media), with no application, and the draft marked published in the same
// transaction, only if it is still in the state it was read in. Conflict
// "invalid_transition" when it is not (another request or server published
// it first: nothing was written); the post's own errors otherwise.
Result<store::Draft> PublishDraft(ServiceContext& ctx, int64_t organisation_id, int64_t id,
                                  const std::optional<Actor>& actor, std::optional<int64_t> seen_version);

struct ReleaseRound {
  int published = 0;
  int failed = 0;   // sent back to submitted with publish_error
  int skipped = 0;  // published or changed elsewhere meanwhile
};

// The scheduler's round: publishes every scheduled draft due at `now`. A
// draft whose post cannot be made (its content is refused, e.g. a photo
// gone) goes back to submitted with publish_error and an audit entry
// (draft.publish_failed) instead of being retried for ever; an error of the
// database leaves it scheduled for the next round and is returned.
Result<ReleaseRound> PublishDueDrafts(ServiceContext& ctx, int64_t now);

// A new alt text or focus point (`patch` as MediaStore::Update takes it) of
// one of the organisation's photos, by staff acting as it
// (PUT /api/v1/media/:id). A photo of a published post is Forbidden
// "approval_required": an edit of the post goes through approval. A photo
// in a draft not yet published is changed in the transaction of an edit of
// that draft, as a PUT of the draft would make it (submitted, approved and
// scheduled drafts go back to submitted without their approvals, rejected
// ones become drafts, `actor` is recorded as an editor; draft.edited names
// the photo), unless nothing changes; only staff who may write drafts
// describe a draft's photo (Forbidden "role_required" otherwise, changed or
// not). NotFound unless the photo is the organisation's.
Result<store::MediaAttachment> UpdateOrganisationMedia(ServiceContext& ctx, int64_t organisation_id,
                                                       int64_t media_id, const store::MediaPatch& patch,
                                                       const Actor& actor);

// One of the organisation's photos (GET /api/v1/media/:id as the
// organisation) for its staff member `staff_id`: a photo in a draft follows
// the draft's rules, so only staff who read drafts see it (Forbidden
// "role_required" otherwise); any other upload, any role. NotFound unless
// the photo is the organisation's.
Result<store::MediaAttachment> ReadOrganisationMedia(ServiceContext& ctx, int64_t organisation_id, int64_t media_id,
                                                     int64_t staff_id);

Status SetApprovalsRequired(ServiceContext& ctx, int64_t organisation_id, int approvals, const Actor& actor);

}  // namespace vantage::service
