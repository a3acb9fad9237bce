// Which config and rules files vigil may act on: as sshd and sudo decide it.
#include "vigil/trusted_file.hpp"

#include <gtest/gtest.h>

using namespace vigil;

TEST(TrustedFile, OwnFilesAndRootsFilesWithoutGroupOrOtherWriteAreTrusted) {
  EXPECT_FALSE(untrusted_file_reason(1000, "alice", 0100644, 1000));
  EXPECT_FALSE(untrusted_file_reason(1000, "alice", 0100600, 1000));
  EXPECT_FALSE(untrusted_file_reason(0, "root", 0100644, 1000));
  EXPECT_FALSE(untrusted_file_reason(0, "root", 0100644, 0));
}

TEST(TrustedFile, WritableByOthersIsRefusedNamingModeAndOwner) {
  auto everyone = untrusted_file_reason(1000, "alice", 0100666, 1000);
  ASSERT_TRUE(everyone);
  EXPECT_EQ(*everyone,
            "is writable by everyone (mode 0666, owner uid 1000 (alice)): whoever can write it could run "
            "commands as vigil; fix with chmod go-w");
  auto group = untrusted_file_reason(0, "root", 0100664, 1000);
  ASSERT_TRUE(group);
  EXPECT_NE(group->find("writable by its group (mode 0664, owner uid 0 (root))"), std::string::npos) << *group;
}

TEST(TrustedFile, OwnedByAnotherUserIsRefused) {
  auto other = untrusted_file_reason(1001, "bob", 0100644, 1000);
  ASSERT_TRUE(other);
  EXPECT_NE(other->find("owned by another user (mode 0644, owner uid 1001 (bob))"), std::string::npos) << *other;
  // Root running vigil does not trust a user's file either.
  EXPECT_TRUE(untrusted_file_reason(1001, "", 0100600, 0));
}
