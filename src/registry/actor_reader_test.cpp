// The registry reader (simdjson On-Demand) on the shapes a studio's file takes, and on text
// that is not JSON: every value it walks past is validated, so it refuses what a full parser
// refuses.

#include "registry/actor_reader.h"

#include <gtest/gtest.h>

#include "support/registry_gen.h"

namespace atr {
namespace {

// The one actor of a one-actor registry text.
Actor only(const std::string& text) {
  Result<ReadActors> read = read_actors(text);
  EXPECT_TRUE(read) << text << ": " << (read ? "" : read.error().message);
  if (!read || read->actors.size() != 1) {
    ADD_FAILURE() << text << " holds no single actor";
    return Actor{};
  }
  return read->actors.front();
}

TEST(ActorReaderTest, IdsAndAgesAreTextAndNumbersAreWrittenAsNlohmannWritesThem) {
  EXPECT_EQ(only((R"([{"id": 38}])")).id, "38");
  EXPECT_TRUE(only((R"([{"id": 38}])")).id_is_number);
  EXPECT_EQ(only((R"([{"id": "0006"}])")).id, "0006");
  EXPECT_FALSE(only((R"([{"id": "0006"}])")).id_is_number);
  EXPECT_EQ(only((R"([{"id": 18446744073709551615}])")).id, "18446744073709551615");
  EXPECT_EQ(only((R"([{"id": 6.5}])")).id, "6.5");
  EXPECT_FALSE(only((R"([{"id": 6.5}])")).id_is_number);
  // Beyond 64 bits: valid JSON, read as a double as nlohmann/json reads it.
  EXPECT_EQ(only((R"([{"id": 123456789012345678901234567890}])")).id, "1.2345678901234568e+29");
  EXPECT_EQ(only((R"([{"id": null, "name": "n"}])")).key(), "n");
  EXPECT_EQ(only((R"([{"age": 20}])")).age, "20");
  EXPECT_EQ(only((R"([{"age": "20s"}])")).age, "20s");
}

TEST(ActorReaderTest, EscapesInNamesAndValuesAreDecoded) {
  const Actor a = only((R"([{"na\u006de": "J\u00e9r\u00f4me \"J\"", "sex": "f\/m"}])"));
  EXPECT_EQ(a.name, "Jérôme \"J\"");
  EXPECT_EQ(a.sex, "f/m");
  EXPECT_EQ(only(("[{\"description\": \"Jérôme, freckles\"}]")).description, "Jérôme, freckles");
}

TEST(ActorReaderTest, WrongTypesReadAsAbsentAndTheLastDuplicateWins) {
  const Actor a = only((
      R"([{"name": 7, "good": "yes", "training_data": [1], "validated_lora_model": "x",
           "sex": "male", "sex": "female"}])"));
  EXPECT_EQ(a.name, "");
  EXPECT_FALSE(a.good);
  EXPECT_FALSE(a.training_data);
  EXPECT_FALSE(a.validated_model);
  EXPECT_EQ(a.sex, "female");
}

TEST(ActorReaderTest, TheTrainingDataBlockAndItsCountBounds) {
  const Actor a = only((
      R"([{"training_data": {"s3_urls": ["s3://b/a.jpg", 5, "s3://b/b.jpg"], "local_path": "x",
                             "count": 2, "synced": true, "extra": {"k": [1, 2]}}}])"));
  ASSERT_TRUE(a.training_data);
  EXPECT_EQ(a.training_data->s3_urls, (std::vector<std::string>{"s3://b/a.jpg", "s3://b/b.jpg"}));
  EXPECT_EQ(a.training_data->local_path, "x");
  EXPECT_EQ(a.training_data->count, 2);
  EXPECT_TRUE(a.training_data->synced);
  for (const char* count : {"-1", "2147483648", "99999999999999999999", "2.0", "\"2\""}) {
    const std::string text = std::string(R"([{"training_data": {"count": )") + count + "}}]";
    EXPECT_EQ(only((text)).training_data->count, 0) << count;
  }
  EXPECT_EQ(only((R"([{"training_data": {"count": 2147483647}}])")).training_data->count,
            2147483647);
}

TEST(ActorReaderTest, ThePosterIsTheMediumWebpFirstThenTheOtherSizesThenImg) {
  EXPECT_EQ(only((R"([{"img": "i", "poster_frames": {"accelerated": {"png": "a"},
            "standard": {"png": "p", "webp_lg": "l", "webp_md": "m"}}}])"))
                .poster_url,
            "m");
  EXPECT_EQ(only((R"([{"poster_frames": {"accelerated": {"webp_sm": "s"},
            "standard": {"other": "x"}}, "img": "i"}])"))
                .poster_url,
            "s");
  EXPECT_EQ(only((R"([{"poster_frames": {"standard": {}}, "img": "i"}])")).poster_url, "i");
  EXPECT_EQ(only((R"([{"poster_frames": 3, "img": "i"}])")).poster_url, "i");
}

TEST(ActorReaderTest, BoundsAreEachObjectInTheText) {
  struct Case {
    std::string text;
    std::string first;
    std::string second;
  };
  for (const Case& c : std::vector<Case>{
           {"[\n  {\"id\": 1, \"x\": {\"y\": \"}\"}},\n  {\"id\": 2}\n]\n",
            "{\"id\": 1, \"x\": {\"y\": \"}\"}}", "{\"id\": 2}"},
           {"[{\"id\":1},{\"id\":2}]", "{\"id\":1}", "{\"id\":2}"},
           {"\xEF\xBB\xBF[ {\"id\": 1} ,\r\n{\"id\": 2} ]", "{\"id\": 1}", "{\"id\": 2}"}}) {
    Result<ReadActors> read = read_actors(c.text);
    ASSERT_TRUE(read) << c.text << ": " << read.error().message;
    ASSERT_EQ(read->bounds.size(), 2u);
    EXPECT_EQ(c.text.substr(read->bounds[0].begin, read->bounds[0].end - read->bounds[0].begin),
              c.first);
    EXPECT_EQ(c.text.substr(read->bounds[1].begin, read->bounds[1].end - read->bounds[1].begin),
              c.second);
  }
  Result<ReadActors> empty = read_actors("[]");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->actors.empty());
}

TEST(ActorReaderTest, MalformedTextAnywhereIsRefusedWithItsPlace) {
  struct Case {
    std::string text;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"[{\"id\": 1, \"x\": {\"y\": [1 2]}}]", "line 1"},  // inside a value nobody reads
           {"[{\"id\": 1}\n,\n{\"id\": 2,}]", "line 3"},
           {"[{\"id\": 1, \"n\": 1e400}]", "line 1, column 17"},
           {"[{\"id\": 1, \"n\": 01}]", "line 1"},
           {"[{\"id\": 1, \"s\": \"\\q\"}]", "line 1"},
           {"[{\"id\": 1}] [", "line 1"},
           {"[{\"id\": 1}", "line 1"},
           {"[{\"id\": tru}]", "line 1"},
       }) {
    Result<ReadActors> read = read_actors(c.text);
    ASSERT_FALSE(read) << c.text;
    EXPECT_EQ(read.error().code, ErrorCode::InvalidArgument) << c.text;
    EXPECT_NE(read.error().message.find(c.says), std::string::npos)
        << c.text << " → " << read.error().message;
  }
  Result<ReadActors> object = read_actors(R"({"id": 1})");
  ASSERT_FALSE(object);
  EXPECT_EQ(object.error().message, "expected a JSON array of actors at line 1, column 1");
  Result<ReadActors> number = read_actors(R"([{"id": 1}, 7])");
  ASSERT_FALSE(number);
  EXPECT_EQ(number.error().message, "actor 2 is not a JSON object");
}

TEST(ActorReaderTest, AGeneratedRegistryReadsWhetherOrNotItsStringHasRoomToParseInPlace) {
  std::string text = testing::generate_registry(300);
  text.shrink_to_fit();
  Result<ReadActors> copied = read_actors(text);
  text.reserve(text.size() + actor_reader_padding());
  Result<ReadActors> in_place = read_actors(text);
  ASSERT_TRUE(copied) << copied.error().message;
  ASSERT_TRUE(in_place) << in_place.error().message;
  ASSERT_EQ(copied->actors.size(), 300u);
  for (std::size_t i = 0; i < 300; ++i) {
    const Actor& a = copied->actors[i];
    const Actor& b = in_place->actors[i];
    EXPECT_EQ(a.key(), b.key());
    EXPECT_EQ(a.training_data, b.training_data);
    EXPECT_EQ(a.position, i);
    EXPECT_EQ(copied->bounds[i].begin, in_place->bounds[i].begin);
    EXPECT_EQ(text[copied->bounds[i].begin], '{');
    EXPECT_EQ(text[copied->bounds[i].end - 1], '}');
  }
}

}  // namespace
}  // namespace atr
