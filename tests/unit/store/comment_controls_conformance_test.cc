// The comment-control and report parts of the store (store/status_store.h,
// store/report_store.h) on every backend that instantiates
// StoreConformanceTest: a comment's state keeps its post's replies_count to
// the shown comments, only the post's author moves it, pins racing for a
// post's last slot leave exactly the limit pinned, and duplicate reports
// racing each other file one report.
#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "store/migrations.h"
#include "store/report_store.h"
#include "store_backend.h"

namespace vantage::store::testing {
namespace {

Post NewComment(IdGenerator& ids, int64_t account_id, const Post& post, CommentState state) {
  Post p;
  p.id = ids.Next();
  p.account_id = account_id;
  p.text = "comment";
  p.content = "<p>comment</p>";
  p.in_reply_to_id = post.id;
  p.in_reply_to_account_id = post.account_id;
  p.is_comment = true;
  p.comment_post_id = post.id;
  p.comment_state = state;
  p.created_at = p.updated_at = 1700000000000;
  return p;
}

Post NewPostOf(IdGenerator& ids, int64_t account_id, const std::string& policy) {
  Post p;
  p.id = ids.Next();
  p.account_id = account_id;
  p.text = "post";
  p.content = "<p>post</p>";
  p.comments_policy = policy;
  p.created_at = p.updated_at = 1700000000000;
  return p;
}

int64_t RepliesOf(Store& store, int64_t id) {
  auto found = store.statuses().FindById(id);
  EXPECT_TRUE(found.ok() && found->has_value());
  return found.ok() && found->has_value() ? (*found)->replies_count : -1;
}

TEST_P(StoreConformanceTest, Migration14GivesOlderCommentsTheirThreadsPost) {
  Account author = CreateAccount("cp_author");
  Account writer = CreateAccount("cp_writer");
  Post post = NewPostOf(ids_, author.id, "on");
  ASSERT_TRUE(store_->statuses().Create(post, {}).ok());
  Post comment = NewComment(ids_, writer.id, post, CommentState::kShown);
  ASSERT_TRUE(store_->statuses().Create(comment, {}).ok());
  Account other = CreateAccount("cp_other");
  Post reply = NewComment(ids_, other.id, post, CommentState::kShown);
  reply.in_reply_to_id = comment.id;
  reply.in_reply_to_account_id = writer.id;
  ASSERT_TRUE(store_->statuses().Create(reply, {}).ok());
  Post answer = NewComment(ids_, writer.id, post, CommentState::kShown);
  answer.in_reply_to_id = reply.id;
  ASSERT_TRUE(store_->statuses().Create(answer, {}).ok());
  // As written before migration 0011: no thread post.
  auto run = [this](const char* name, const char* sql) {
    Status status = db_->Write([&](Connection& conn) -> Status {
      auto done = conn.Exec(Statement{name, sql}, {});
      if (!done) return std::move(done).error();
      return Ok();
    });
    ASSERT_TRUE(status.ok()) << Describe(status);
  };
  run("test_forget_comment_posts", "UPDATE statuses SET comment_post_id = NULL WHERE is_comment = 1");
  // The post's author cannot reach the answer deep in the thread then.
  auto before = store_->statuses().SetCommentState(answer.id, author.id, std::nullopt, CommentState::kHidden);
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.error().kind, ErrorKind::kNotFound);

  const auto& migrations = GetParam().name == "Sqlite" ? sqliteMigrations() : postgresMigrations();
  auto it = std::find_if(migrations.begin(), migrations.end(), [](const Migration& m) { return m.number == 14; });
  ASSERT_NE(it, migrations.end());
  run("test_migration_14", it->sql);
  run("test_migration_14", it->sql);  // again: nothing more changes
  for (const Post& p : {comment, reply, answer}) {
    auto found = store_->statuses().FindById(p.id);
    ASSERT_TRUE(found.ok() && found->has_value());
    EXPECT_EQ((*found)->comment_post_id, post.id);
  }
  auto found = store_->statuses().FindById(post.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_FALSE((*found)->comment_post_id.has_value());
  auto hidden = store_->statuses().SetCommentState(answer.id, author.id, std::nullopt, CommentState::kHidden);
  ASSERT_TRUE(hidden.ok()) << Describe(hidden);
}

TEST_P(StoreConformanceTest, CommentStateKeepsRepliesCountToShownComments) {
  Account author = CreateAccount("cc_author");
  Account writer = CreateAccount("cc_writer");
  Post post = NewPostOf(ids_, author.id, "held");
  ASSERT_TRUE(store_->statuses().Create(post, {}).ok());
  auto read = store_->statuses().FindById(post.id);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->comments_policy, "held");

  Post held = NewComment(ids_, writer.id, post, CommentState::kHeld);
  Post shown = NewComment(ids_, writer.id, post, CommentState::kShown);
  ASSERT_TRUE(store_->statuses().Create(held, {}).ok());
  ASSERT_TRUE(store_->statuses().Create(shown, {}).ok());
  EXPECT_EQ(RepliesOf(*store_, post.id), 1);
  auto listed = store_->statuses().HeldComments(post.id, 10);
  ASSERT_TRUE(listed.ok()) << Describe(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, held.id);
  EXPECT_EQ((*listed)[0].comment_state, CommentState::kHeld);
  EXPECT_EQ((*listed)[0].comment_post_id, post.id);

  // Only the post's author moves a comment; the writer cannot approve theirs.
  auto refused = store_->statuses().SetCommentState(held.id, writer.id, CommentState::kHeld, CommentState::kShown);
  EXPECT_EQ(refused.error().kind, ErrorKind::kNotFound);
  // From a state it is not in: nothing changes, and the hook does not run.
  int ran = 0;
  auto hook = [&ran](Connection&, const Post&) -> Status {
    ++ran;
    return Ok();
  };
  auto unchanged = store_->statuses().SetCommentState(held.id, author.id, CommentState::kHidden,
                                                      CommentState::kShown, hook);
  ASSERT_TRUE(unchanged.ok()) << Describe(unchanged);
  EXPECT_EQ(unchanged->comment_state, CommentState::kHeld);
  EXPECT_EQ(ran, 0);

  auto approved = store_->statuses().SetCommentState(held.id, author.id, CommentState::kHeld, CommentState::kShown, hook);
  ASSERT_TRUE(approved.ok()) << Describe(approved);
  EXPECT_EQ(approved->comment_state, CommentState::kShown);
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(RepliesOf(*store_, post.id), 2);
  auto hidden = store_->statuses().SetCommentState(shown.id, author.id, CommentState::kShown, CommentState::kHidden);
  ASSERT_TRUE(hidden.ok());
  EXPECT_EQ(RepliesOf(*store_, post.id), 1);
  // Deleting a hidden comment leaves the count of shown ones alone.
  auto deleted = store_->statuses().DeleteComment(shown.id, author.id);
  ASSERT_TRUE(deleted.ok()) << Describe(deleted);
  EXPECT_EQ(RepliesOf(*store_, post.id), 1);
  auto gone = store_->statuses().FindById(shown.id);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  EXPECT_EQ(store_->statuses().DeleteComment(held.id, writer.id).error().kind, ErrorKind::kNotFound);
}

TEST_P(StoreConformanceTest, PinsRacingForAPostsLastSlotLeaveTheLimit) {
  Account author = CreateAccount("pin_author");
  Account writer = CreateAccount("pin_writer");
  Post post = NewPostOf(ids_, author.id, "on");
  ASSERT_TRUE(store_->statuses().Create(post, {}).ok());
  std::vector<Post> comments;
  for (int i = 0; i < 8; ++i) {
    comments.push_back(NewComment(ids_, writer.id, post, CommentState::kShown));
    ASSERT_TRUE(store_->statuses().Create(comments.back(), {}).ok());
  }
  std::atomic<int> pinned{0}, limited{0};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < comments.size(); ++i) {
    threads.emplace_back([&, i] {
      auto result = store_->statuses().PinComment(comments[i].id, author.id, 3, 1700000001000 + int64_t(i));
      if (result.ok()) ++pinned;
      else if (result.error().code == "pin_limit") ++limited;
      else ADD_FAILURE() << Describe(result);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(pinned.load(), 3);
  EXPECT_EQ(limited.load(), 5);
  auto pins = store_->statuses().PinnedComments(post.id);
  ASSERT_TRUE(pins.ok()) << Describe(pins);
  EXPECT_EQ(pins->size(), 3u);
  // A reply deeper in a thread is not pinnable on the post.
  Post reply = NewComment(ids_, writer.id, comments[0], CommentState::kShown);
  reply.comment_post_id = post.id;
  ASSERT_TRUE(store_->statuses().Create(reply, {}).ok());
  EXPECT_EQ(store_->statuses().PinComment(reply.id, author.id, 3, 1700000002000).error().code, "not_pinnable");
}

TEST_P(StoreConformanceTest, DuplicateReportsRacingFileOne) {
  Account reporter = CreateAccount("rep_reporter");
  Account target = CreateAccount("rep_target");
  Account admin = CreateAccount("rep_admin");
  std::vector<int64_t> ids(8);
  std::atomic<int> existing{0};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < ids.size(); ++i) {
    int64_t id = ids_.Next();
    threads.emplace_back([&, i, id] {
      Report r;
      r.id = id;
      r.reporter_id = reporter.id;
      r.target_account_id = target.id;
      r.target_key = "account:" + std::to_string(target.id) + ";statuses:";
      r.category = "spam";
      r.created_at = r.updated_at = 1700000000000;
      auto filed = FileReport(*db_, r);
      ASSERT_TRUE(filed.ok()) << Describe(filed);
      ids[i] = filed->report.id;
      if (filed->existing) ++existing;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(existing.load(), 7);
  for (int64_t id : ids) EXPECT_EQ(id, ids[0]);
  auto open = ListReports(*db_, "open", INT64_MAX, 10);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->size(), 1u);

  auto resolved = SetReportState(*db_, ids[0], "resolved", admin.id, 1700000001000);
  ASSERT_TRUE(resolved.ok()) << Describe(resolved);
  EXPECT_EQ(resolved->resolved_by, admin.id);
  EXPECT_EQ(resolved->resolved_at, 1700000001000);
  EXPECT_EQ(SetReportState(*db_, ids[0], "resolved", admin.id, 1700000002000).error().code, "invalid_transition");
  // A new report on the same target once the first is closed; the first cannot reopen beside it.
  Report again;
  again.id = ids_.Next();
  again.reporter_id = reporter.id;
  again.target_account_id = target.id;
  again.target_key = "account:" + std::to_string(target.id) + ";statuses:";
  again.category = "other";
  again.created_at = again.updated_at = 1700000003000;
  auto second = FileReport(*db_, again);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->existing);
  EXPECT_EQ(SetReportState(*db_, ids[0], "open", admin.id, 1700000004000).error().code, "invalid_transition");
  ASSERT_TRUE(SetReportState(*db_, again.id, "dismissed", admin.id, 1700000005000).ok());
  auto reopened = SetReportState(*db_, ids[0], "open", admin.id, 1700000006000);
  ASSERT_TRUE(reopened.ok()) << Describe(reopened);
  EXPECT_FALSE(reopened->resolved_at);
  EXPECT_FALSE(reopened->resolved_by);
  EXPECT_EQ(SetReportState(*db_, ids_.Next(), "resolved", admin.id, 1).error().kind, ErrorKind::kNotFound);
}

TEST_P(StoreConformanceTest, QuestionReportsKeepTheirQuestion) {
  Account reporter = CreateAccount("qrep_reporter");
  Account asker = CreateAccount("qrep_asker");
  auto file = [&](int64_t question_id) {
    Report r;
    r.id = ids_.Next();
    r.reporter_id = reporter.id;
    r.target_account_id = asker.id;
    r.target_key = "question:" + std::to_string(question_id);
    r.question_id = question_id;
    r.created_at = r.updated_at = 1700000000000;
    return FileReport(*db_, r);
  };
  auto first = file(42);
  ASSERT_TRUE(first.ok()) << Describe(first);
  EXPECT_FALSE(first->existing);
  EXPECT_EQ(first->report.question_id, std::optional<int64_t>(42));
  EXPECT_TRUE(first->report.status_ids.empty());
  auto again = file(42);
  ASSERT_TRUE(again.ok()) << Describe(again);
  EXPECT_TRUE(again->existing);
  EXPECT_EQ(again->report.id, first->report.id);
  auto other = file(43);
  ASSERT_TRUE(other.ok()) << Describe(other);
  EXPECT_NE(other->report.id, first->report.id);
  auto found = FindReport(*db_, first->report.id);
  ASSERT_TRUE(found.ok() && *found);
  EXPECT_EQ((*found)->question_id, std::optional<int64_t>(42));
  EXPECT_EQ((*found)->target_account_id, asker.id);
}

}  // namespace
}  // namespace vantage::store::testing
