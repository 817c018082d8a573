#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace atr {

/// Where the ngrok tunnel to the webhook listener stands.
enum class TunnelState { Off, Starting, Running, Failed };

/// "off", "starting", "running", "failed".
std::string_view to_string(TunnelState state);

/// The tunnel as the API and the UI show it. Never holds the authtoken.
struct TunnelStatus {
  TunnelState state = TunnelState::Off;
  std::string public_url;  ///< the https URL while running
  std::string message;     ///< why it failed, or why it cannot start
  bool binary_found = false;
  bool token_configured = false;
};

/// A tunnel that makes the webhook listener reachable from RunPod. app/ implements it by
/// running the ngrok agent.
class Tunnel {
 public:
  virtual ~Tunnel() = default;
  [[nodiscard]] virtual TunnelStatus status() const = 0;
  /// Starts the tunnel and waits (bounded) for its public URL. Unavailable when ngrok is
  /// missing, has no authtoken, or exits; the status then says why.
  [[nodiscard]] virtual Result<TunnelStatus> start() = 0;
  /// Stops it (nothing when off).
  virtual TunnelStatus stop() = 0;
};

}  // namespace atr
