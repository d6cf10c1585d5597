// Profile pictures and fields in the account store (migration 0010), on every
// backend: the keys and fields round-trip, a picture's files count as
// referenced for the media store's deletions and start-up sweep.
#include <algorithm>
#include <string>

#include "store_backend.h"

namespace vantage::store::testing {
namespace {

const std::string kLarge(64, 'a');
const std::string kSmall(64, 'b');

TEST_P(StoreConformanceTest, AvatarKeysRoundTripAndCountAsReferenced) {
  Account a = CreateAccount("pictured");
  EXPECT_TRUE(a.avatar_key.empty());
  auto set = store_->accounts().SetAvatar(a.id, kLarge, kSmall, 1700000009000);
  ASSERT_TRUE(set.ok()) << Describe(set);
  EXPECT_EQ(set->avatar_key, kLarge);
  EXPECT_EQ(set->avatar_small_key, kSmall);
  EXPECT_EQ(set->updated_at, 1700000009000);
  auto found = store_->accounts().FindById(a.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->avatar_key, kLarge);
  EXPECT_EQ((*found)->avatar_small_key, kSmall);

  for (const std::string& key : {kLarge, kSmall}) {
    auto used = store_->accounts().AvatarKeyInUse(key);
    ASSERT_TRUE(used.ok()) << Describe(used);
    EXPECT_TRUE(*used) << key;
  }
  EXPECT_FALSE(*store_->accounts().AvatarKeyInUse(std::string(64, 'c')));
  auto unused = store_->media().UnreferencedKeys({kLarge, kSmall, std::string(64, 'c')});
  ASSERT_TRUE(unused.ok()) << Describe(unused);
  EXPECT_EQ(*unused, std::vector<std::string>{std::string(64, 'c')});
  auto all = store_->media().AllKeys();
  ASSERT_TRUE(all.ok()) << Describe(all);
  EXPECT_NE(std::find(all->begin(), all->end(), kLarge), all->end());
  EXPECT_NE(std::find(all->begin(), all->end(), kSmall), all->end());

  auto cleared = store_->accounts().SetAvatar(a.id, "", "", 1700000010000);
  ASSERT_TRUE(cleared.ok()) << Describe(cleared);
  EXPECT_TRUE(cleared->avatar_key.empty());
  EXPECT_TRUE(cleared->avatar_small_key.empty());
  EXPECT_FALSE(*store_->accounts().AvatarKeyInUse(kLarge));
  EXPECT_EQ(store_->media().UnreferencedKeys({kLarge})->size(), 1u);

  auto missing = store_->accounts().SetAvatar(ids_.Next(), kLarge, kSmall, 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST_P(StoreConformanceTest, ProfileFieldsAreKeptUntilReplaced) {
  Account a = CreateAccount("fielded");
  EXPECT_EQ(a.fields_json, "[]");
  const std::string fields = R"([{"name":"Website","value":"https://example.org/ é 🚓"}])";
  AccountPatch patch;
  patch.fields_json = fields;
  auto updated = store_->accounts().Update(a.id, patch, 1700000011000);
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  EXPECT_EQ(updated->fields_json, fields);
  AccountPatch note_only;
  note_only.note = "bio";
  auto again = store_->accounts().Update(a.id, note_only, 1700000012000);
  ASSERT_TRUE(again.ok()) << Describe(again);
  EXPECT_EQ(again->fields_json, fields);
  EXPECT_EQ((*store_->accounts().FindById(a.id))->fields_json, fields);
}

}  // namespace
}  // namespace vantage::store::testing
