// The README's ten-line use, as an outside project writes it.
#include <tracegrep/context.hpp>
#include <tracegrep/ids.hpp>
#include <tracegrep/log.hpp>

int main() {
  tracegrep::set_default_logger(std::make_shared<tracegrep::Logger>(tracegrep::stdout_sink()));
  tracegrep::ContextScope scope({.session_id = "12345678abcdef", .request_id = "a1b2c3d4"});
  tracegrep::info("Processing payment for user {}", "Alice");
  auto task = tracegrep::async(std::launch::async, [] { tracegrep::error("Payment gateway timeout"); });
  task.get();
}
