#include "service/context.h"

#include "store/access_events.h"
#include "store/event_bus.h"

namespace vantage::service {

const char* RegistrationModeName(RegistrationMode mode) {
  switch (mode) {
    case RegistrationMode::kOpen: return "open";
    case RegistrationMode::kApproval: return "approval";
    case RegistrationMode::kClosed: return "closed";
  }
  return "closed";
}

ServiceContext::ServiceContext(store::Store& store_, Settings settings_, int shard)
    : store(store_),
      settings(std::move(settings_)),
      ids(shard),
      sign_in_by_ip(settings.sign_in_limit_ip, 300),
      sign_in_by_account(settings.sign_in_limit_account, 300),
      second_factor_failures(settings.second_factor_limit_account, 300),
      password_resets_by_ip(settings.password_reset_limit_ip, 3600),
      confirmation_links_by_ip(settings.password_reset_limit_ip, 3600),
      registrations_by_ip(settings.registration_limit_ip, 3600),
      questions_by_account(settings.question_limit_account, 600),
      questions_by_ip(settings.question_limit_ip, 600) {}

void TellAccessRevoked(ServiceContext& ctx) {
  // The id is not known here; 0 asks the buses to read whatever is new.
  if (ctx.events) ctx.events->Notify(std::string(store::kAccessTopic), 0);
}

}  // namespace vantage::service
