#include "store/store.h"

namespace vantage::store {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kUser:
      return "user";
    case Role::kModerator:
      return "moderator";
    case Role::kAdmin:
      return "admin";
  }
  return "user";
}

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "user") return Role::kUser;
  if (name == "moderator") return Role::kModerator;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

}  // namespace vantage::store
