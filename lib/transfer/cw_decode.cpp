#include "transfer/cw_decode.h"

#include <optional>

#include "transfer/cw_ratio.h"
#include "util/ascii.h"
#include "util/limits.h"

namespace evm {
namespace {

constexpr size_t kMaxStackedEncodings = limits::kStackedEncodings;

// Stands where an unknown coding would be decoded: the body cannot be made sense of.
class RefuseWriter final : public ClientWriter {
 public:
  RefuseWriter(ClientWriter &next, std::string &error, std::string why)
      : next_(next), error_(error), why_(std::move(why)) {}

  CURLcode write(WriteKind kind, std::string_view data) override {
    if (kind != WriteKind::Body) return next_.write(kind, data);
    error_ = why_;
    return CURLE_BAD_CONTENT_ENCODING;
  }

 private:
  ClientWriter &next_;
  std::string &error_;
  std::string why_;
};

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The inflater for a coding we decode; none for one we do not.
std::optional<http::Inflater::Format> inflater_format(std::string_view name) {
  if (ascii::iequals(name, "gzip") || ascii::iequals(name, "x-gzip"))
    return http::Inflater::Format::Gzip;
  if (ascii::iequals(name, "deflate")) return http::Inflater::Format::Deflate;
  return std::nullopt;
}

}  // namespace

CURLcode DecodeWriter::write(WriteKind kind, std::string_view data) {
  // Nothing overtakes kept body bytes, trailers included.
  if (blocked()) return CURLE_AGAIN;
  if (kind != WriteKind::Body) return next_.write(kind, data);
  if (turn_.spent()) return CURLE_AGAIN;
  return decode(data);
}

CURLcode DecodeWriter::resume() {
  if (!holding()) return CURLE_OK;
  std::string input = std::move(kept_);
  kept_.clear();
  return decode(input);
}

CURLcode DecodeWriter::decode(std::string_view data) {
  // Inflate one buffer at a time and pass it on before making more.
  for (;;) {
    if ((turn_.spent() || (below_ && below_->blocked())) && (more_out_ || !data.empty())) {
      kept_.assign(data);
      return CURLE_OK;
    }
    http::Inflater::Step step = inflater_.run(data, out_);
    if (step.failed) {
      error_ = inflater_.error();
      more_out_ = false;
      kept_.clear();
      return CURLE_BAD_CONTENT_ENCODING;
    }
    data.remove_prefix(step.consumed);
    more_out_ = step.produced == out_.size();
    if (step.produced > 0) {
      if (!below_) turn_.take(step.produced);
      if (CURLcode rc = next_.write(WriteKind::Body, std::string_view(out_.data(), step.produced)))
        return rc;
    }
    // Done with this input when it is used up and the buffer was not filled (nothing pending).
    if (!more_out_ && (data.empty() || step.consumed == 0)) return CURLE_OK;
  }
}

ClientWriter &DecodeStack::build(std::string_view value, ClientWriter &next, std::string &error) {
  std::vector<std::string_view> codings;
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view name = trimmed(value.substr(0, comma));
    value.remove_prefix(comma == std::string_view::npos ? value.size() : comma + 1);
    if (!name.empty()) codings.push_back(name);
  }
  // The ratio guard sits below the decoders and counts at their top; kept only if one is made.
  auto guard = std::make_unique<RatioCheckWriter>(next, error);
  ClientWriter *top = guard.get();
  size_t stacked = 0;
  size_t first = stages_.size();
  // Listed in the order they were applied: the first one listed is undone last.
  for (std::string_view name : codings) {
    std::unique_ptr<ClientWriter> stage;
    if (ascii::iequals(name, "identity") || ascii::iequals(name, "none")) continue;
    const DecodeWriter *below = decoders_.empty() ? nullptr : decoders_.back();
    if (++stacked > kMaxStackedEncodings) {
      stage = std::make_unique<RefuseWriter>(*top, error,
                                             "Reject response due to more than " +
                                                 std::to_string(kMaxStackedEncodings) +
                                                 " content encodings");
    } else if (std::optional<http::Inflater::Format> format = inflater_format(name)) {
      auto d = std::make_unique<DecodeWriter>(*format, *top, error, turn_, below);
      decoders_.push_back(d.get());
      stage = std::move(d);
    } else {
      stage = std::make_unique<RefuseWriter>(
          *top, error,
          std::string("Unrecognized content encoding type. libcurl understands ") +
              kSupportedEncodings + " content encodings.");
    }
    top = stage.get();
    stages_.push_back(std::move(stage));
    if (stacked > kMaxStackedEncodings) break;
  }
  if (stages_.size() == first) return next;
  DecodeRatio &ratio = guard->ratio();
  stages_.insert(stages_.begin() + static_cast<std::ptrdiff_t>(first), std::move(guard));
  auto gate = std::make_unique<PauseWriter>(*top, gate_state_, error);
  gate_ = gate.get();
  stages_.push_back(std::move(gate));
  stages_.push_back(std::make_unique<RatioInWriter>(*gate_, ratio));
  return *stages_.back();
}

bool DecodeStack::holding() const {
  if (gate_ && gate_->holding()) return true;
  return std::any_of(decoders_.begin(), decoders_.end(),
                     [](const DecodeWriter *d) { return d->holding(); });
}

CURLcode DecodeStack::resume() {
  turn_.renew();
  for (DecodeWriter *d : decoders_) {
    if (CURLcode rc = d->resume()) return rc;
    if (d->holding()) return CURLE_OK;
  }
  if (!gate_ || !gate_->holding()) return CURLE_OK;
  gate_state_.recv = false;
  return gate_->flush();
}

}  // namespace evm
