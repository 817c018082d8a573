#include "core/tunnel.h"

namespace atr {

std::string_view to_string(TunnelState state) {
  switch (state) {
    case TunnelState::Off: return "off";
    case TunnelState::Starting: return "starting";
    case TunnelState::Running: return "running";
    case TunnelState::Failed: return "failed";
  }
  return "off";
}

}  // namespace atr
