#include "vigil/cgroup_parse.hpp"

#include <gtest/gtest.h>

using namespace vigil;

TEST(CgroupParse, TheV2LineOfProcSelfCgroup) {
  EXPECT_EQ(unified_cgroup("0::/user.slice/user-1000.slice/user@1000.service/app.slice/vigil.service\n"),
            "/user.slice/user-1000.slice/user@1000.service/app.slice/vigil.service");
  // A hybrid host lists the v1 hierarchies first.
  EXPECT_EQ(unified_cgroup("9:name=systemd:/a\n4:memory:/b\n1:cpu:/\n0::/a/vigil.service\n"), "/a/vigil.service");
  EXPECT_EQ(unified_cgroup("0::/\n"), "/");
  EXPECT_EQ(unified_cgroup("12:pids:/x\n1:name=systemd:/x\n"), std::nullopt);  // v1 only
  EXPECT_EQ(unified_cgroup(""), std::nullopt);
}

TEST(CgroupParse, TheMountThatHoldsTheCgroup) {
  const char* hybrid =
      "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
  EXPECT_EQ(cgroup_dir(hybrid, "/a/vigil.service"), "/sys/fs/cgroup/unified/a/vigil.service");
  EXPECT_EQ(cgroup_dir(hybrid, "/"), "/sys/fs/cgroup/unified");
  const char* pure = "29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
  EXPECT_EQ(cgroup_dir(pure, "/user.slice/vigil.service"), "/sys/fs/cgroup/user.slice/vigil.service");
  // A container sees its part of the hierarchy mounted at its own root: the mount's root is cut off.
  const char* bound = "50 40 0:26 /lxc/c1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
  EXPECT_EQ(cgroup_dir(bound, "/lxc/c1/vigil.service"), "/sys/fs/cgroup/vigil.service");
  EXPECT_EQ(cgroup_dir(bound, "/lxc/c10/x"), std::nullopt);  // "/lxc/c1" does not hold "/lxc/c10"
  // Escaped blanks in the mount point.
  EXPECT_EQ(cgroup_dir("7 1 0:5 / /mnt/my\\040cgroups rw - cgroup2 none rw\n", "/a"), "/mnt/my cgroups/a");
  EXPECT_EQ(cgroup_dir("34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", "/a"), std::nullopt);
  EXPECT_EQ(cgroup_dir("garbage\n\n - cgroup2\n", "/a"), std::nullopt);
}

TEST(CgroupParse, EventsCpuAndMemory) {
  EXPECT_EQ(cgroup_populated("populated 1\nfrozen 0\n"), true);
  EXPECT_EQ(cgroup_populated("populated 0\nfrozen 0\n"), false);
  EXPECT_EQ(cgroup_populated("frozen 0\n"), std::nullopt);
  EXPECT_EQ(cgroup_cpu_usage_usec("usage_usec 123456\nuser_usec 100000\nsystem_usec 23456\n"), 123456u);
  EXPECT_EQ(cgroup_cpu_usage_usec("user_usec 1\n"), std::nullopt);
  EXPECT_EQ(cgroup_cpu_usage_usec("usage_usec 12x\n"), std::nullopt);
  EXPECT_EQ(cgroup_cpu_usage_usec("usage_usecs 5\n"), std::nullopt);  // a longer key is another key
  EXPECT_EQ(cgroup_working_set("1000000\n", "anon 600000\nactive_file 100000\ninactive_file 300000\n"), 700000u);
  EXPECT_EQ(cgroup_working_set("1000\n", "inactive_file 5000\n"), 0u);  // never below 0
  EXPECT_EQ(cgroup_working_set("4096\n", ""), 4096u);
  EXPECT_EQ(cgroup_working_set("max\n", ""), std::nullopt);
  EXPECT_EQ(cgroup_working_set("", ""), std::nullopt);
}

TEST(CgroupParse, LeafNamesStayInsideTheirParent) {
  EXPECT_EQ(cgroup_leaf("service", "scan-bridge_2.1"), "service-scan-bridge_2.1");
  EXPECT_EQ(cgroup_leaf("job", "../x"), "job-..%2Fx");
  EXPECT_EQ(cgroup_leaf("service", "a b"), "service-a%20b");
  EXPECT_EQ(cgroup_leaf("service", "caf\xc3\xa9"), "service-caf%C3%A9");
}
