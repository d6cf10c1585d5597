// OrganisationStore over the backend-neutral SQL layer; runs unchanged on
// SQLite and PostgreSQL.
//
// Isolation: a staff change first locks the organisation's row (a no-op
// UPDATE), so changes to one organisation's staff run one after the other on
// every engine and the "at least one owner" check cannot be raced.
#include <algorithm>
#include <map>
#include <string_view>
#include <utility>

#include "store/organisation_store.h"
#include "store/access_events.h"

namespace vantage::store {

namespace {

// The account of an organisation: approved, no password, no e-mail.
constexpr Statement kInsertOrganisationAccount{
    "organisation_insert_account",
    "INSERT INTO accounts (id, username, email, display_name, note, password_hash, created_at, updated_at) "
    "VALUES (?, ?, NULL, ?, ?, '', ?, ?)"};
// Its actor key, pending until first needed (store/federation_store.h).
constexpr Statement kInsertOrganisationActorKey{
    "organisation_insert_actor_key", "INSERT INTO actor_keys (account_id) VALUES (?)"};
constexpr Statement kInsertOrganisation{
    "organisation_insert",
    "INSERT INTO organisations (account_id, approvals_required, created_at, require_second_factor) "
    "VALUES (?, ?, ?, ?)"};
constexpr Statement kSelectOrganisation{
    "organisation_select",
    "SELECT account_id, approvals_required, created_at, require_second_factor FROM organisations WHERE account_id = ?"};
constexpr Statement kSetRequireSecondFactor{
    "organisation_set_require_second_factor",
    "UPDATE organisations SET require_second_factor = ? WHERE account_id = ?"};
constexpr Statement kLockOrganisation{
    "organisation_lock",
    "UPDATE organisations SET approvals_required = approvals_required WHERE account_id = ? RETURNING account_id"};
constexpr Statement kSelectRoles{
    "organisation_select_roles", "SELECT role FROM organisation_roles WHERE organisation_id = ? AND account_id = ?"};
constexpr Statement kSelectOrganisationsOf{
    "organisation_select_organisations_of",
    "SELECT organisation_id, role FROM organisation_roles WHERE account_id = ? ORDER BY organisation_id"};
constexpr Statement kSelectStaff{
    "organisation_select_staff",
    "SELECT account_id, role, created_at FROM organisation_roles WHERE organisation_id = ? "
    "ORDER BY created_at, account_id"};
constexpr Statement kInsertRole{
    "organisation_insert_role",
    "INSERT INTO organisation_roles (organisation_id, account_id, role, created_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING"};
constexpr Statement kDeleteRole{
    "organisation_delete_role",
    "DELETE FROM organisation_roles WHERE organisation_id = ? AND account_id = ? AND role = ?"};
constexpr Statement kUpsertInvitation{
    "organisation_upsert_invitation",
    "INSERT INTO organisation_invitations (organisation_id, account_id, roles, created_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (organisation_id, account_id) DO UPDATE SET roles = excluded.roles, "
    "created_at = excluded.created_at"};
constexpr Statement kSelectInvitation{
    "organisation_select_invitation",
    "SELECT organisation_id, account_id, roles, created_at FROM organisation_invitations "
    "WHERE organisation_id = ? AND account_id = ?"};
constexpr Statement kSelectInvitationsOf{
    "organisation_select_invitations_of",
    "SELECT organisation_id, account_id, roles, created_at FROM organisation_invitations WHERE account_id = ? "
    "ORDER BY created_at DESC, organisation_id"};
constexpr Statement kSelectInvitationsTo{
    "organisation_select_invitations_to",
    "SELECT organisation_id, account_id, roles, created_at FROM organisation_invitations "
    "WHERE organisation_id = ? ORDER BY created_at, account_id"};
constexpr Statement kDeleteInvitation{
    "organisation_delete_invitation",
    "DELETE FROM organisation_invitations WHERE organisation_id = ? AND account_id = ?"};
constexpr Statement kSelectSession{
    "organisation_select_session",
    "SELECT 1 FROM organisation_sessions WHERE organisation_id = ? AND token_id = ?"};
constexpr Statement kInsertSession{
    "organisation_insert_session",
    "INSERT INTO organisation_sessions (organisation_id, token_id, created_at) VALUES (?, ?, ?) "
    "ON CONFLICT DO NOTHING"};
constexpr Statement kCountOwners{
    "organisation_count_owners",
    "SELECT COUNT(*) FROM organisation_roles WHERE organisation_id = ? AND role = 'owner'"};

void SortRoles(std::vector<StaffRole>& roles) {
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
}

std::string RolesText(const std::vector<StaffRole>& roles) {
  std::string out;
  for (StaffRole role : roles) out += (out.empty() ? "" : " ") + std::string(StaffRoleName(role));
  return out;
}

std::vector<StaffRole> ParseRolesText(std::string_view text) {
  std::vector<StaffRole> roles;
  while (!text.empty()) {
    size_t space = text.find(' ');
    if (auto role = ParseStaffRole(text.substr(0, space))) roles.push_back(*role);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  }
  SortRoles(roles);
  return roles;
}

std::string RolesJson(const std::vector<StaffRole>& roles) {
  std::string out = "[";
  for (StaffRole role : roles) out += std::string(out.size() > 1 ? "," : "") + "\"" + StaffRoleName(role) + "\"";
  return out + "]";
}

StaffInvitation DecodeInvitation(const Row& row) {
  return StaffInvitation{row.Int(0), row.Int(1), ParseRolesText(row.Text(2)), row.Int(3)};
}

// The audit entry `audit` about `account_id` in the organisation's log.
AuditEntry AboutMember(const AuditEntry& audit, int64_t organisation_id, int64_t account_id, std::string action,
                       std::string detail) {
  AuditEntry entry = audit;
  entry.organisation_id = organisation_id;
  entry.target_type = "account";
  entry.target_id = account_id;
  if (!action.empty()) entry.action = std::move(action);
  entry.detail = std::move(detail);
  return entry;
}

Result<std::vector<StaffRole>> RolesOn(Connection& conn, int64_t organisation_id, int64_t account_id) {
  auto rows = conn.Query(kSelectRoles, {organisation_id, account_id});
  if (!rows) return std::move(rows).error();
  std::vector<StaffRole> roles;
  for (const Row& row : *rows)
    if (auto role = ParseStaffRole(row.Text(0))) roles.push_back(*role);
  SortRoles(roles);
  return roles;
}

class SqlOrganisationStore final : public OrganisationStore {
 public:
  explicit SqlOrganisationStore(Database& db) : db_(db) {}

  using OrganisationStore::Create;
  Result<Organisation> Create(const Account& a, int64_t owner_id, const AuditEntry& audit,
                              bool require_second_factor) override {
    if (a.id <= 0) return Error::Internal("A new organisation needs an id from the IdGenerator");
    Organisation org{a.id, 1, a.created_at, require_second_factor};
    Status status = db_.Write([&](Connection& conn) -> Status {
      auto account = conn.Exec(kInsertOrganisationAccount,
                               {a.id, a.username, a.display_name, a.note, a.created_at, a.updated_at});
      if (!account) {
        Error error = std::move(account).error();
        if (error.code == "unique_violation" && error.field == "accounts.username")
          return Error::Invalid("username", "username is already taken", "taken");
        return error;
      }
      VANTAGE_TRY(conn.Exec(kInsertOrganisationActorKey, {a.id}));
      VANTAGE_TRY(conn.Exec(kInsertOrganisation, {a.id, int64_t{org.approvals_required}, a.created_at,
                                                       int64_t{org.require_second_factor ? 1 : 0}}));
      VANTAGE_TRY(conn.Exec(kInsertRole, {a.id, owner_id, std::string("owner"), a.created_at}));
      AuditEntry created = audit;
      created.organisation_id = a.id;
      created.action = "organisation.created";
      created.target_type = "account";
      created.target_id = a.id;
      created.detail = "{\"username\":" + JsonString(a.username) + "}";
      VANTAGE_TRY(AppendAuditEntryOn(conn, created));
      AuditEntry owner = audit;
      owner.organisation_id = a.id;
      owner.action = "staff.role_added";
      owner.target_type = "account";
      owner.target_id = owner_id;
      owner.detail = "{\"role\":\"owner\"}";
      VANTAGE_TRY(AppendAuditEntryOn(conn, owner));
      return Ok();
    });
    if (!status) return std::move(status).error();
    return org;
  }

  Result<std::optional<Organisation>> Find(int64_t account_id) override {
    std::optional<Organisation> found;
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      found.reset();
      auto row = conn.QueryOne(kSelectOrganisation, {account_id});
      if (!row) return std::move(row).error();
      if (*row) found = Organisation{(*row)->Int(0), static_cast<int>((*row)->Int(1)), (*row)->Int(2), (*row)->Bool(3)};
      return Ok();
    }));
    return found;
  }

  Result<std::vector<StaffRole>> RolesOf(int64_t organisation_id, int64_t account_id) override {
    std::vector<StaffRole> roles;
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      auto found = RolesOn(conn, organisation_id, account_id);
      if (!found) return std::move(found).error();
      roles = std::move(*found);
      return Ok();
    }));
    return roles;
  }

  Result<std::vector<std::pair<int64_t, std::vector<StaffRole>>>> OrganisationsOf(int64_t account_id) override {
    std::vector<std::pair<int64_t, std::vector<StaffRole>>> out;
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      out.clear();
      auto rows = conn.Query(kSelectOrganisationsOf, {account_id});
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) {
        auto role = ParseStaffRole(row.Text(1));
        if (!role) continue;
        if (out.empty() || out.back().first != row.Int(0)) out.emplace_back(row.Int(0), std::vector<StaffRole>{});
        out.back().second.push_back(*role);
      }
      for (auto& [id, roles] : out) SortRoles(roles);
      return Ok();
    }));
    return out;
  }

  Result<std::vector<StaffMember>> ListStaff(int64_t organisation_id) override {
    std::vector<StaffMember> out;
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      out.clear();
      auto rows = conn.Query(kSelectStaff, {organisation_id});
      if (!rows) return std::move(rows).error();
      std::map<int64_t, size_t> at;
      for (const Row& row : *rows) {
        auto role = ParseStaffRole(row.Text(1));
        if (!role) continue;
        auto [it, added] = at.emplace(row.Int(0), out.size());
        if (added) out.push_back(StaffMember{row.Int(0), {}});
        out[it->second].roles.push_back(*role);
      }
      for (StaffMember& member : out) SortRoles(member.roles);
      return Ok();
    }));
    return out;
  }

  Result<std::vector<StaffRole>> SetRoles(int64_t organisation_id, int64_t account_id,
                                          const std::vector<StaffRole>& wanted_roles,
                                          const AuditEntry& audit) override {
    std::vector<StaffRole> wanted = wanted_roles;
    SortRoles(wanted);
    Status status = db_.Write([&](Connection& conn) -> Status {
      VANTAGE_TRY(Lock(conn, organisation_id));
      auto current = RolesOn(conn, organisation_id, account_id);
      if (!current) return std::move(current).error();
      if (current->empty())
        return Error::NotFound("This account is not on the staff: invite it", "not_staff");
      // What the member's open streams of the organisation were authorized
      // for may be gone: they end, and are authorized again as they reopen.
      if (*current != wanted)
        VANTAGE_TRY(AppendAccessRevokedOn(conn, AccessRevocation{account_id, 0, organisation_id}, audit.created_at));
      for (StaffRole role : kStaffRoles) {
        bool had = std::find(current->begin(), current->end(), role) != current->end();
        bool wants = std::find(wanted.begin(), wanted.end(), role) != wanted.end();
        if (had == wants) continue;
        std::string name = StaffRoleName(role);
        if (wants) VANTAGE_TRY(conn.Exec(kInsertRole, {organisation_id, account_id, name, audit.created_at}));
        else VANTAGE_TRY(conn.Exec(kDeleteRole, {organisation_id, account_id, name}));
        VANTAGE_TRY(AppendAuditEntryOn(conn, AboutMember(audit, organisation_id, account_id,
                                                         wants ? "staff.role_added" : "staff.role_removed",
                                                         "{\"role\":\"" + name + "\"}")));
      }
      auto owners = conn.QueryOne(kCountOwners, {organisation_id});
      if (!owners) return std::move(owners).error();
      if (!*owners || (*owners)->Int(0) == 0)
        return Error::Conflict("last_owner", "An organisation needs at least one owner: add another owner first",
                               "roles");
      return Ok();
    });
    if (!status) return std::move(status).error();
    return wanted;
  }

  Result<StaffInvitation> Invite(int64_t organisation_id, int64_t account_id, const std::vector<StaffRole>& roles,
                                 const AuditEntry& audit) override {
    std::vector<StaffRole> offered = roles;
    SortRoles(offered);
    if (offered.empty()) return Error::Internal("An invitation offers at least one role");
    StaffInvitation invitation{organisation_id, account_id, offered, audit.created_at};
    VANTAGE_TRY(db_.Write([&](Connection& conn) -> Status {
      VANTAGE_TRY(Lock(conn, organisation_id));
      auto current = RolesOn(conn, organisation_id, account_id);
      if (!current) return std::move(current).error();
      if (!current->empty())
        return Error::Conflict("already_staff", "This account is on the staff already: its roles change directly");
      VANTAGE_TRY(conn.Exec(kUpsertInvitation, {organisation_id, account_id, RolesText(offered), audit.created_at}));
      VANTAGE_TRY(AppendAuditEntryOn(conn, AboutMember(audit, organisation_id, account_id, "",
                                                       "{\"roles\":" + RolesJson(offered) + "}")));
      return Ok();
    }));
    return invitation;
  }

  Result<std::vector<StaffInvitation>> InvitationsOf(int64_t account_id) override {
    return ListInvitations(kSelectInvitationsOf, account_id);
  }

  Result<std::vector<StaffInvitation>> InvitationsTo(int64_t organisation_id) override {
    return ListInvitations(kSelectInvitationsTo, organisation_id);
  }

  Result<std::vector<StaffRole>> AcceptInvitation(int64_t organisation_id, int64_t account_id,
                                                  const AuditEntry& audit) override {
    std::vector<StaffRole> roles;
    VANTAGE_TRY(db_.Write([&](Connection& conn) -> Status {
      VANTAGE_TRY(Lock(conn, organisation_id));
      auto row = conn.QueryOne(kSelectInvitation, {organisation_id, account_id});
      if (!row) return std::move(row).error();
      if (!*row) return Error::NotFound("No invitation to this organisation's staff is pending", "not_found");
      StaffInvitation invitation = DecodeInvitation(**row);
      VANTAGE_TRY(conn.Exec(kDeleteInvitation, {organisation_id, account_id}));
      VANTAGE_TRY(AppendAuditEntryOn(conn, AboutMember(audit, organisation_id, account_id, "",
                                                       "{\"roles\":" + RolesJson(invitation.roles) + "}")));
      for (StaffRole role : invitation.roles) {
        std::string name = StaffRoleName(role);
        VANTAGE_TRY(conn.Exec(kInsertRole, {organisation_id, account_id, name, audit.created_at}));
        VANTAGE_TRY(AppendAuditEntryOn(conn, AboutMember(audit, organisation_id, account_id, "staff.role_added",
                                                         "{\"role\":\"" + name + "\"}")));
      }
      auto held = RolesOn(conn, organisation_id, account_id);
      if (!held) return std::move(held).error();
      roles = std::move(*held);
      return Ok();
    }));
    return roles;
  }

  Status DeleteInvitation(int64_t organisation_id, int64_t account_id, const AuditEntry& audit) override {
    return db_.Write([&](Connection& conn) -> Status {
      auto deleted = conn.Exec(kDeleteInvitation, {organisation_id, account_id});
      if (!deleted) return std::move(deleted).error();
      if (*deleted == 0) return Error::NotFound("No invitation to this organisation's staff is pending", "not_found");
      VANTAGE_TRY(AppendAuditEntryOn(conn, AboutMember(audit, organisation_id, account_id, "", "{}")));
      return Ok();
    });
  }

  Result<bool> RecordSession(int64_t organisation_id, int64_t token_id, const AuditEntry& audit) override {
    // Read first: every staff request asks, and only a session's first
    // request for an organisation writes.
    bool recorded = false;
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      auto row = conn.QueryOne(kSelectSession, {organisation_id, token_id});
      if (!row) return std::move(row).error();
      recorded = row->has_value();
      return Ok();
    }));
    if (recorded) return false;
    bool first = false;
    VANTAGE_TRY(db_.Write([&](Connection& conn) -> Status {
      auto inserted = conn.Exec(kInsertSession, {organisation_id, token_id, audit.created_at});
      if (!inserted) return std::move(inserted).error();
      first = *inserted == 1;
      if (!first) return Ok();
      AuditEntry entry = audit;
      entry.organisation_id = organisation_id;
      VANTAGE_TRY(AppendAuditEntryOn(conn, std::move(entry)));
      return Ok();
    }));
    return first;
  }

  Status SetRequireSecondFactor(int64_t organisation_id, bool required, const AuditEntry& audit) override {
    return db_.Write([&](Connection& conn) -> Status {
      auto updated = conn.Exec(kSetRequireSecondFactor, {int64_t{required ? 1 : 0}, organisation_id});
      if (!updated) return std::move(updated).error();
      if (*updated == 0) return Error::NotFound();
      AuditEntry entry = audit;
      entry.organisation_id = organisation_id;
      entry.target_type = "organisation";
      entry.target_id = organisation_id;
      VANTAGE_TRY(AppendAuditEntryOn(conn, std::move(entry)));
      return Ok();
    });
  }

 private:
  // Staff changes of one organisation run one after the other.
  static Status Lock(Connection& conn, int64_t organisation_id) {
    auto locked = conn.QueryOne(kLockOrganisation, {organisation_id});
    if (!locked) return std::move(locked).error();
    if (!*locked) return Error::NotFound();
    return Ok();
  }

  Result<std::vector<StaffInvitation>> ListInvitations(const Statement& statement, int64_t id) {
    std::vector<StaffInvitation> out;
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      out.clear();
      auto rows = conn.Query(statement, {id});
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) out.push_back(DecodeInvitation(row));
      return Ok();
    }));
    return out;
  }

  static std::string JsonString(const std::string& text) {
    std::string out = "\"";
    for (unsigned char c : text) {
      if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
      else if (c < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      } else out += static_cast<char>(c);
    }
    return out + "\"";
  }

  Database& db_;
};

}  // namespace

const char* StaffRoleName(StaffRole role) {
  switch (role) {
    case StaffRole::kOwner:
      return "owner";
    case StaffRole::kEditor:
      return "editor";
    case StaffRole::kApprover:
      return "approver";
    case StaffRole::kModerator:
      return "moderator";
    case StaffRole::kAnalyst:
      return "analyst";
  }
  return "analyst";
}

std::optional<StaffRole> ParseStaffRole(std::string_view name) {
  for (StaffRole role : kStaffRoles)
    if (name == StaffRoleName(role)) return role;
  return std::nullopt;
}

std::unique_ptr<OrganisationStore> MakeSqlOrganisationStore(Database& db) {
  return std::make_unique<SqlOrganisationStore>(db);
}

}  // namespace vantage::store
