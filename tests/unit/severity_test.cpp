#include "vigil/severity.hpp"

#include <gtest/gtest.h>

using namespace vigil;

// The enums' order is vigil's only ranking: worse is larger.
TEST(Severity, OrderIsTheRanking) {
  EXPECT_LT(Severity::Info, Severity::Warning);
  EXPECT_LT(Severity::Warning, Severity::Critical);
  EXPECT_LT(Health::Ok, health_of(Severity::Info));
  EXPECT_LT(health_of(Severity::Warning), health_of(Severity::Critical));
}

TEST(Severity, WordsRoundTrip) {
  for (Health h : {Health::Ok, Health::Info, Health::Warning, Health::Critical})
    EXPECT_EQ(parse_health(to_string(h)), h);
  EXPECT_EQ(to_string(health_of(Severity::Critical)), to_string(Severity::Critical));
  EXPECT_EQ(to_string(AlertState::Firing), "firing");
  EXPECT_FALSE(parse_health("bad"));
}
