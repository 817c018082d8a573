#include "registry/json_file_actor_registry.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <system_error>
#include <unordered_map>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/files.h"
#include "registry/actor_json.h"
#include "registry/actor_reader.h"
#include "registry/json_spans.h"
#include "registry/text_edits.h"

namespace atr {
namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr const char* kTrainingData = "training_data";
constexpr const char* kValidatedModel = "validated_lora_model";
constexpr const char* kGood = "good";

// The whitespace before `pos` on its line, when only whitespace precedes it there.
std::optional<std::string> line_indent(std::string_view text, size_t pos) {
  size_t start = pos;
  while (start > 0 && text[start - 1] != '\n') {
    const char c = text[start - 1];
    if (c != ' ' && c != '\t') return std::nullopt;
    --start;
  }
  return std::string(text.substr(start, pos - start));
}

// How the file indents one level, read from the first object whose members sit on their own
// lines; two spaces when nothing tells.
std::string detect_indent_unit(std::string_view text, const std::vector<ObjectSpan>& objects) {
  for (const ObjectSpan& object : objects) {
    if (object.members.empty()) continue;
    std::optional<std::string> member = line_indent(text, object.members.front().key_begin);
    std::optional<std::string> outer = line_indent(text, object.begin);
    if (!member || !outer) continue;
    if (member->size() > outer->size() && member->compare(0, outer->size(), *outer) == 0) {
      return member->substr(outer->size());
    }
  }
  return "  ";
}

struct Layout {
  std::string unit;     // one indentation level
  std::string newline;  // "\n", or "\r\n" for files written on Windows
};

// Serializes `value` as it would appear after a key indented by `indent`; single-line when
// the member itself is inline.
std::string render(const ordered_json& value, const std::optional<std::string>& indent,
                   const Layout& layout) {
  if (!indent) return value.dump();
  std::string out = value.dump(static_cast<int>(layout.unit.size()), layout.unit.front());
  std::string shifted;
  shifted.reserve(out.size() + 64);
  for (char c : out) {
    if (c == '\n') {
      shifted += layout.newline + *indent;
    } else {
      shifted += c;
    }
  }
  return shifted;
}

// The desired end state of one actor's product-owned members; nullopt inside = remove.
struct FieldChanges {
  std::optional<TrainingDataRecord> training_data;
  std::optional<std::optional<ValidatedModel>> validated_model;
  std::optional<bool> good;
};

std::optional<std::optional<ordered_json>> desired_value(const std::string& key,
                                                         const FieldChanges& changes,
                                                         const ordered_json& existing) {
  if (key == kTrainingData && changes.training_data) {
    return merge_training_data(existing, *changes.training_data);
  }
  if (key == kValidatedModel && changes.validated_model) {
    if (!*changes.validated_model) return std::optional<ordered_json>{};
    return merge_validated_model(existing, **changes.validated_model);
  }
  if (key == kGood && changes.good) return ordered_json(*changes.good);
  return std::nullopt;  // not touched
}

void plan_edits(std::string_view text, const ObjectSpan& object, const FieldChanges& changes,
                const Layout& layout, std::vector<TextEdit>& edits) {
  std::vector<std::pair<std::string, ordered_json>> additions;
  for (const char* key : {kTrainingData, kValidatedModel, kGood}) {
    const MemberSpan* member = nullptr;
    size_t index = 0;
    for (size_t i = 0; i < object.members.size(); ++i) {
      if (object.members[i].key == key) {
        member = &object.members[i];
        index = i;
      }
    }
    ordered_json existing;  // null when absent
    if (member != nullptr) {
      existing = ordered_json::parse(
          text.substr(member->value_begin, member->value_end - member->value_begin));
    }
    std::optional<std::optional<ordered_json>> wanted = desired_value(key, changes, existing);
    if (!wanted) continue;
    if (!*wanted) {  // remove the member with one of its separating commas
      if (member == nullptr) continue;
      if (index > 0) {
        edits.push_back({object.members[index - 1].value_end, member->value_end, ""});
      } else if (object.members.size() > 1) {
        edits.push_back({member->key_begin, object.members[1].key_begin, ""});
      } else {
        edits.push_back({object.begin + 1, object.end - 1, ""});
      }
      continue;
    }
    if (member != nullptr) {
      if (**wanted == existing) continue;  // already so: leave the bytes alone
      edits.push_back({member->value_begin, member->value_end,
                       render(**wanted, line_indent(text, member->key_begin), layout)});
      continue;
    }
    additions.emplace_back(key, std::move(**wanted));
  }
  if (additions.empty()) return;

  // An object without members has neither id nor name, so no patch can address it.
  ATR_CHECK(!object.members.empty(), "patched actor has members");
  const MemberSpan& last = object.members.back();
  const std::optional<std::string> indent = line_indent(text, last.key_begin);
  const std::string separator(text.substr(last.key_end, last.value_begin - last.key_end));
  // Inline objects: copy the comma spacing between the last two members ("," or ", ").
  std::string comma = separator.find(' ') == std::string::npos ? "," : ", ";
  if (object.members.size() >= 2) {
    const MemberSpan& before = object.members[object.members.size() - 2];
    comma = std::string(text.substr(before.value_end, last.key_begin - before.value_end));
  }
  std::string inserted;
  for (const auto& [key, value] : additions) {
    inserted += indent ? "," + layout.newline + *indent : comma;
    inserted += json(key).dump() + separator + render(value, indent, layout);
  }
  edits.push_back({last.value_end, last.value_end, std::move(inserted)});
}

// Checks that the re-read spliced text holds each change and the same number of actors. A
// mismatch is a bug in the splicer; refusing keeps the file safe.
Status verify(const ActorCatalog& updated, size_t expected_count,
              const std::map<size_t, FieldChanges>& changes) {
  if (updated.actors().size() != expected_count) {
    return Error{ErrorCode::Internal, "spliced text changed the number of actors"};
  }
  for (const auto& [index, change] : changes) {
    const Actor& actor = updated.actors()[index];
    const bool ok = (!change.training_data || actor.training_data == change.training_data) &&
                    (!change.validated_model || actor.validated_model == *change.validated_model) &&
                    (!change.good || actor.good == *change.good);
    if (!ok) {
      return Error{ErrorCode::Internal,
                   "spliced text does not hold the change for actor " + actor.label()};
    }
  }
  return Ok{};
}

// What a set of patches does to the text, without a second copy of it: the edits, what they
// are meant to change per actor position, and where the objects sit once they are applied.
struct Spliced {
  std::vector<TextEdit> edits;  ///< sorted, non-overlapping, each inside one object
  std::map<size_t, FieldChanges> changes;
  std::vector<ObjectBounds> bounds;  ///< where each actor's object sits in the edited text

  /// True when every edit puts back the bytes it replaces.
  [[nodiscard]] bool changes_nothing(std::string_view text) const {
    return std::all_of(edits.begin(), edits.end(), [text](const TextEdit& e) {
      return text.substr(e.begin, e.end - e.begin) == e.text;
    });
  }
};

// Where the objects sit once `edits` (ascending, each inside one object) are applied.
std::vector<ObjectBounds> shifted(const std::vector<ObjectBounds>& bounds,
                                  const std::vector<TextEdit>& edits) {
  std::vector<ObjectBounds> out;
  out.reserve(bounds.size());
  std::size_t next = 0;
  std::ptrdiff_t delta = 0;
  auto pass = [&](std::size_t pos) {
    for (; next < edits.size() && edits[next].begin < pos; ++next) {
      delta += static_cast<std::ptrdiff_t>(edits[next].text.size()) -
               static_cast<std::ptrdiff_t>(edits[next].end - edits[next].begin);
    }
    return static_cast<std::size_t>(static_cast<std::ptrdiff_t>(pos) + delta);
  };
  for (const ObjectBounds& b : bounds) {
    const std::size_t begin = pass(b.begin);
    out.push_back({begin, pass(b.end)});
  }
  return out;
}

// The actors of the edited text: each changed one read again from its edited object (and
// checked to hold its change by the caller), the others shared with `before`. Every edit lies
// inside one object and puts a value that nlohmann/json wrote where a value was, so the text
// between the objects is the old bytes and no other object can read differently.
Result<ActorList> reread_changed(const ActorCatalog& before, std::string_view text,
                                 const std::vector<ObjectBounds>& bounds, const Spliced& spliced) {
  ActorList actors = before.actors();  // shares every block
  for (const auto& [index, change] : spliced.changes) {
    const ObjectBounds& b = bounds[index];
    std::string one = "[" + edited_range(text, b.begin, b.end, spliced.edits) + "]";
    one.reserve(one.size() + actor_reader_padding());
    Result<ReadActors> read = read_actors(one);
    if (!read || read->actors.size() != 1) {
      return Error{ErrorCode::Internal,
                   "spliced text of actor " + actors[index].label() + " does not read back"};
    }
    actors.replace(index, read->actors.front());
  }
  return actors;
}

// Plans the edits of `patches` on `text`, whose actors `catalog` holds and `bounds` locates
// (already read by the caller); only the patched actors' objects are walked.
Result<Spliced> splice(std::string_view text, const ActorCatalog& catalog,
                       const std::vector<ObjectBounds>& bounds,
                       const std::vector<ActorPatch>& patches) {
  Spliced out;
  for (const ActorPatch& patch : patches) {
    Result<const Actor*> actor = catalog.find(patch.actor_ref);
    if (!actor) return actor.error().with_context("update actors.json");
    FieldChanges& change = out.changes[(*actor)->position];
    if (patch.training_data) change.training_data = patch.training_data;
    if (patch.validated_model) change.validated_model = patch.validated_model;
    if (patch.good) change.good = patch.good;
  }
  ATR_CHECK(bounds.size() == catalog.actors().size(), "bounds and catalog disagree");
  std::vector<ObjectSpan> objects;
  objects.reserve(out.changes.size());
  for (const auto& [index, change] : out.changes) {
    Result<ObjectSpan> object = scan_object_at(text, bounds[index].begin);
    if (!object) return object.error();
    objects.push_back(std::move(object).value());
  }
  const Layout layout{detect_indent_unit(text, objects),
                      text.find("\r\n") != std::string_view::npos ? "\r\n" : "\n"};
  std::size_t next = 0;
  for (const auto& [index, change] : out.changes) {
    plan_edits(text, objects[next++], change, layout, out.edits);
  }
  // Edits never overlap: each touches one member, or is a zero-width insertion at the end of
  // the last member.
  std::sort(out.edits.begin(), out.edits.end(), [](const TextEdit& a, const TextEdit& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  out.bounds = shifted(bounds, out.edits);
  return out;
}

// Holds an exclusive flock on the lock file for the life of the object.
class FileLock {
 public:
  static Result<FileLock> acquire(const fs::path& path) {
    std::error_code ec;
    if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      return Error{ErrorCode::Unavailable, "lock " + path.string() + ": " + std::strerror(errno)};
    }
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      Error err{ErrorCode::Unavailable, "lock " + path.string() + ": " + std::strerror(errno)};
      ::close(fd);
      return err;
    }
    return FileLock(fd);
  }
  FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the flock
  }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace

Result<std::string> apply_patches(std::string_view text, const std::vector<ActorPatch>& patches) {
  Result<ReadActors> read = read_actors(std::string(text));
  if (!read) return read.error();
  const ActorCatalog catalog(std::move(read->actors));
  Result<Spliced> spliced = splice(text, catalog, read->bounds, patches);
  if (!spliced) return spliced.error();
  std::string out;
  for (std::string_view piece : edited_pieces(text, spliced->edits)) {
    out.append(piece);
  }
  Result<ReadActors> reread = read_actors(out);
  if (!reread) return Error{ErrorCode::Internal, "update actors.json: spliced text does not parse"};
  Status verified =
      verify(ActorCatalog(std::move(reread->actors)), catalog.actors().size(), spliced->changes);
  if (!verified) return verified.error().with_context("update actors.json");
  return out;
}

JsonFileActorRegistry::JsonFileActorRegistry(fs::path file, fs::path lock_file, Loaded loaded)
    : file_(std::move(file)), lock_file_(std::move(lock_file)), loaded_(std::move(loaded)) {}

Result<JsonFileActorRegistry::Loaded> JsonFileActorRegistry::parse(const fs::path& file,
                                                                   std::string text,
                                                                   const Loaded* previous) {
  Result<ReadActors> read = read_actors(text);
  if (!read) return read.error().with_context("read " + file.string());
  return assemble(std::move(text), std::move(read).value(), previous);
}

JsonFileActorRegistry::Loaded JsonFileActorRegistry::assemble(std::string text, ReadActors read,
                                                              const Loaded* previous) {
  if (previous != nullptr && previous->catalog) {
    // An actor whose object is byte for byte what it was keeps its revision, so caches keyed
    // by revision keep what a reload did not change.
    std::unordered_map<std::string_view, const Actor*> before;
    before.reserve(previous->catalog->actors().size());
    for (const Actor& a : previous->catalog->actors()) {
      before.emplace(a.key(), &a);
    }
    for (std::size_t i = 0; i < read.actors.size(); ++i) {
      const Actor& actor = read.actors[i];
      auto it = before.find(actor.key());
      if (it == before.end()) continue;
      const ObjectBounds& was = previous->bounds[it->second->position];
      const ObjectBounds& is = read.bounds[i];
      if (std::string_view(previous->text).substr(was.begin, was.end - was.begin) ==
          std::string_view(text).substr(is.begin, is.end - is.begin)) {
        read.actors.edit(i).revision = it->second->revision;
      }
    }
  }
  return Loaded{std::move(text), std::make_shared<const ActorCatalog>(std::move(read.actors)),
                std::move(read.bounds)};
}

Result<std::unique_ptr<JsonFileActorRegistry>> JsonFileActorRegistry::open(fs::path file,
                                                                           fs::path lock_file) {
  remove_stale_temp_files(file);  // left by a writer that was killed mid-write
  Result<std::string> text = read_file(file);
  if (!text) return text.error();
  Result<Loaded> loaded = parse(file, std::move(text).value());
  if (!loaded) return loaded.error();
  return std::unique_ptr<JsonFileActorRegistry>(
      new JsonFileActorRegistry(std::move(file), std::move(lock_file), std::move(loaded).value()));
}

std::shared_ptr<const ActorCatalog> JsonFileActorRegistry::catalog() const {
  std::lock_guard lock(mutex_);
  return loaded_.catalog;
}

Result<std::map<std::string, std::string>> JsonFileActorRegistry::text_fields(
    const Actor& actor, const std::vector<std::string>& names) const {
  std::string object;
  {
    std::lock_guard lock(mutex_);
    const ActorList& actors = loaded_.catalog->actors();
    if (actor.position >= actors.size() || actors[actor.position].revision != actor.revision) {
      return Error{ErrorCode::NotFound, "actor " + actor.label() +
                                            " changed in actors.json since it was read; try again"};
    }
    const ObjectBounds& b = loaded_.bounds[actor.position];
    object = loaded_.text.substr(b.begin, b.end - b.begin);
  }
  const json record = json::parse(object, nullptr, false);
  std::map<std::string, std::string> out;
  if (!record.is_object()) return out;
  for (const std::string& name : names) {
    auto it = record.find(name);
    if (it != record.end() && it->is_string()) out[name] = it->get<std::string>();
  }
  return out;
}

Status JsonFileActorRegistry::read_state() const {
  std::lock_guard lock(mutex_);
  return read_state_;
}

Status JsonFileActorRegistry::reload() {
  // Taken before the read: a write of ours that ends after it holds newer text than this read
  // may see, so this reload must not put the older text back (update() holds mutex_ whole).
  std::uint64_t seen = 0;
  {
    std::lock_guard lock(mutex_);
    seen = generation_;
  }
  Result<std::string> text = read_file(file_);
  if (!text) {
    std::lock_guard lock(mutex_);
    read_state_ = text.error();
    return text.error();
  }
  {
    std::lock_guard lock(mutex_);
    if (*text == loaded_.text) {
      read_state_ = Ok{};
      return Ok{};
    }
  }
  // Read outside the lock: readers keep the last good copy meanwhile, and keep it for good
  // if the new text is malformed.
  Result<ReadActors> read = read_actors(*text);
  std::lock_guard lock(mutex_);
  if (generation_ != seen) return Ok{};  // written meanwhile: the written text is newer
  if (!read) {
    read_state_ = read.error().with_context("read " + file_.string());
    return read_state_.error();
  }
  loaded_ = assemble(std::move(text).value(), std::move(read).value(), &loaded_);
  ++generation_;
  read_state_ = Ok{};
  return Ok{};
}

namespace {

// The number of times a write is redone on a file another program keeps replacing.
constexpr int kWriteAttempts = 32;

// A patch may be laid on a newer copy of the file unless that copy changed a field the patch
// sets to another value than the patch does: both sides setting one field at the same time.
// Another program's change to other fields or actors, or to the value we set anyway, merges.
Status mergeable(const ActorCatalog& before, const ActorCatalog& now,
                 const std::vector<ActorPatch>& patches) {
  auto clashes = [](const auto& wanted, const auto& was, const auto& is) {
    return wanted && was != is && *wanted != is;
  };
  for (const ActorPatch& patch : patches) {
    Result<const Actor*> was = before.find(patch.actor_ref);
    Result<const Actor*> is = now.find(patch.actor_ref);
    if (!was || !is) continue;  // splicing names the actor that is missing
    const char* field = nullptr;
    if (clashes(patch.training_data, (*was)->training_data, (*is)->training_data)) {
      field = kTrainingData;
    }
    if (clashes(patch.validated_model, (*was)->validated_model, (*is)->validated_model)) {
      field = kValidatedModel;
    }
    if (clashes(patch.good, (*was)->good, (*is)->good)) field = kGood;
    if (field != nullptr) {
      return Error{ErrorCode::Conflict, "another program set " + std::string(field) + " of actor " +
                                            (*is)->label() +
                                            " since it was read; nothing was written (reload "
                                            "and try again)"};
    }
  }
  return Ok{};
}

}  // namespace

Status JsonFileActorRegistry::update(const std::vector<ActorPatch>& patches) {
  const std::string what = "update " + file_.string();
  Result<FileLock> file_lock = FileLock::acquire(lock_file_);
  if (!file_lock) return file_lock.error().with_context(what);
  std::lock_guard lock(mutex_);

  for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
    // Compared block by block with the text we hold, so an unchanged file is not copied again.
    Result<FileSnapshot> on_disk = read_file_snapshot(file_, loaded_.text);
    if (!on_disk) return on_disk.error().with_context(what);
    if (!on_disk->same_as_known) {
      // Another program wrote since we read: lay the patches on its version.
      Result<Loaded> newer = parse(file_, std::move(on_disk->text), &loaded_);
      if (!newer) {
        read_state_ = newer.error();
        return newer.error().with_context(what);
      }
      read_state_ = Ok{};
      Status merges = mergeable(*loaded_.catalog, *newer->catalog, patches);
      if (!merges) return merges.error().with_context(what);
      loaded_ = std::move(newer).value();
      ++generation_;
    }
    // The loaded catalog locates the actors; only the changed objects are read again.
    Result<Spliced> spliced = splice(loaded_.text, *loaded_.catalog, loaded_.bounds, patches);
    if (!spliced) return spliced.error();
    if (spliced->changes.empty() || spliced->changes_nothing(loaded_.text)) {
      return Ok{};  // nothing to change: do not touch the file
    }
    Result<ActorList> actors =
        reread_changed(*loaded_.catalog, loaded_.text, loaded_.bounds, *spliced);
    if (!actors) return actors.error().with_context(what);
    auto next = std::make_shared<const ActorCatalog>(std::move(actors).value());
    Status verified = verify(*next, loaded_.catalog->actors().size(), spliced->changes);
    if (!verified) return verified.error().with_context(what);
    // The new text goes to the file in pieces and the kept text is edited where it is, so the
    // registry is not held twice (unless the edits outgrow the room read_file_snapshot left
    // past its end, up to 1 MiB: then the string grows by a copy). The replace is a
    // compare-and-swap against the bytes the splice was made on; when another
    // program's write lands in between, its file is put back and the splice is redone on it.
    Status written = replace_file_if_unchanged(file_, edited_pieces(loaded_.text, spliced->edits),
                                               *on_disk, loaded_.text);
    if (written) {
      edit_in_place(loaded_.text, spliced->edits);  // now the bytes of the file
      loaded_.catalog = std::move(next);
      loaded_.bounds = std::move(spliced->bounds);
      ++generation_;
      return Ok{};
    }
    if (written.error().code != ErrorCode::Conflict) return written.error();
  }
  return Error{ErrorCode::Conflict, what + ": another program replaced the file during each of " +
                                        std::to_string(kWriteAttempts) +
                                        " attempts; nothing was written"};
}

}  // namespace atr
